// PT_INTERP from a few small reads: the same answer as readelf on real programs, ELF32 and big-endian files built
// here, and a reason for every file it cannot read.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError } from '../../../src/elf/elf-dynamic';
import { readElfInterpreter } from '../../../src/elf/elf-interpreter';
import { readAtDescriptor, readFromBytes, type ReadAt } from '../../../src/probe/read-at';

const scratch = mkdtempSync(join(tmpdir(), 'elf-interpreter-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The interpreter of `path` and how many bytes finding it read.
function interpreterOf(path: string): { interpreter: string | undefined; bytesRead: number } {
  const fd = openSync(path, 'r');
  let bytesRead = 0;
  try {
    const readAt = readAtDescriptor(fd);
    const read: ReadAt = (offset, length) => {
      const bytes = readAt(offset, length);
      bytesRead += bytes.length;
      return bytes;
    };
    return { interpreter: readElfInterpreter(read), bytesRead };
  } finally {
    closeSync(fd);
  }
}

// A minimal ELF32 executable: the header, one PT_INTERP program header, the path.
function elf32(interpreter: string, littleEndian: boolean): Uint8Array {
  const path = Buffer.from(`${interpreter}\0`);
  const bytes = new Uint8Array(52 + 32 + path.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, littleEndian ? 1 : 2, 1]);
  view.setUint16(16, 2, littleEndian); // ET_EXEC
  view.setUint16(18, littleEndian ? 3 : 8, littleEndian); // i386, MIPS
  view.setUint32(28, 52, littleEndian); // e_phoff
  view.setUint16(42, 32, littleEndian); // e_phentsize
  view.setUint16(44, 1, littleEndian); // e_phnum
  view.setUint32(52, 3, littleEndian); // PT_INTERP
  view.setUint32(52 + 4, 84, littleEndian); // p_offset
  view.setUint32(52 + 16, path.length, littleEndian); // p_filesz
  bytes.set(path, 84);
  return bytes;
}

describe('readElfInterpreter', () => {
  it('agrees with readelf on real programs, reading a few hundred bytes of each', () => {
    const libc = execFileSync('cc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
    for (const file of ['/bin/ls', '/bin/sh', 'node_modules/.bin/node', libc]) {
      const readelf = /Requesting program interpreter: ([^\]]+)\]/.exec(execFileSync('readelf', ['-W', '-l', file], { encoding: 'utf8' }))?.[1];
      const { interpreter, bytesRead } = interpreterOf(file);
      expect(interpreter, file).toBe(readelf);
      expect(bytesRead, file).toBeLessThan(4096);
    }
  });

  it('finds none in a static executable', () => {
    writeFileSync(join(scratch, 'static.c'), 'int main(void) { return 0; }\n');
    const program = join(scratch, 'static');
    execFileSync('cc', ['-static', '-o', program, join(scratch, 'static.c')]);
    expect(interpreterOf(program).interpreter).toBeUndefined();
  });

  it('reads ELF32 files of either byte order', () => {
    expect(readElfInterpreter(readFromBytes(elf32('/lib/ld-linux.so.2', true)))).toBe('/lib/ld-linux.so.2');
    expect(readElfInterpreter(readFromBytes(elf32('/lib/ld.so.1', false)))).toBe('/lib/ld.so.1');
  });

  it('rejects what it cannot read with a reason', () => {
    const good = elf32('/lib/ld-linux.so.2', true);
    const changed = (at: number, value: number[]): Uint8Array => {
      const copy = good.slice();
      copy.set(value, at);
      return copy;
    };
    expect(() => readElfInterpreter(readFromBytes(Buffer.from('#!/bin/sh\n')))).toThrow(new ElfError('not an ELF file (bad magic)'));
    expect(() => readElfInterpreter(readFromBytes(changed(4, [3])))).toThrow('unknown ELF class 3');
    expect(() => readElfInterpreter(readFromBytes(changed(5, [0])))).toThrow('unknown ELF byte order 0');
    expect(() => readElfInterpreter(readFromBytes(good.subarray(0, 40)))).toThrow('truncated ELF header');
    expect(() => readElfInterpreter(readFromBytes(good.subarray(0, 60)))).toThrow('program headers lie outside the file');
    expect(() => readElfInterpreter(readFromBytes(good.subarray(0, 90)))).toThrow('the interpreter path lies outside the file');
    expect(() => readElfInterpreter(readFromBytes(changed(42, [16, 0])))).toThrow('program header entries of 16 bytes are too small');
    expect(() => readElfInterpreter(readFromBytes(changed(42, [0xff, 0xff, 0xff, 0xff])))).toThrow('65535 program headers of 65535 bytes are more than any program has');
    expect(() => readElfInterpreter(readFromBytes(changed(52 + 16, [0, 0, 0x10, 0])))).toThrow('an interpreter path of 1048576 bytes');
    expect(() => readElfInterpreter(readFromBytes(changed(good.length - 1, [0x41])))).toThrow('the interpreter path is not terminated');
    expect(() => readElfInterpreter(readFromBytes(changed(84, [0])))).toThrow('the interpreter path is empty');
  });
});
