// ELF dynamic info from built files, from a gcc-linked program with RUNPATH/RPATH, and from real system binaries against readelf.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError, readElfDynamicInfo } from '../../../src/elf/elf-dynamic';
import { buildElf } from './elf-builder';

const scratch = mkdtempSync(join(tmpdir(), 'elf-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// readelf's view of the same facts, the reference the parser must agree with.
function readelfFacts(path: string): { interpreter: string | undefined; needed: string[]; runpath: string[]; rpath: string[]; soname: string | undefined } {
  const text = execFileSync('readelf', ['-W', '-l', '-d', path], { encoding: 'utf8' });
  const all = (tag: string): string[] => [...text.matchAll(new RegExp(`\\(${tag}\\)\\s+\\S[^[]*\\[([^\\]]*)\\]`, 'g'))].map((m) => m[1]!);
  return {
    interpreter: /Requesting program interpreter: ([^\]]+)\]/.exec(text)?.[1],
    needed: all('NEEDED'),
    runpath: all('RUNPATH').flatMap((v) => v.split(':')),
    rpath: all('RPATH').flatMap((v) => v.split(':')),
    soname: all('SONAME')[0],
  };
}

describe('readElfDynamicInfo', () => {
  it('reads a built file, mapping DT_STRTAB through PT_LOAD', () => {
    const bytes = buildElf({
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libfoo.so.1', 'libc.so.6'],
      runpath: '/opt/foo/lib:$ORIGIN/../lib',
      soname: 'libself.so.2',
      base: 0x7000,
    });
    writeFileSync(join(scratch, 'built'), bytes);
    const info = readElfDynamicInfo(bytes);
    expect(info).toEqual({
      machine: 62,
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libfoo.so.1', 'libc.so.6'],
      runpath: ['/opt/foo/lib', '$ORIGIN/../lib'],
      rpath: [],
      soname: 'libself.so.2',
    });
    // The builder itself is checked by readelf, so the fakes in other tests are real ELF.
    const { machine: _machine, ...facts } = info;
    expect(readelfFacts(join(scratch, 'built'))).toEqual(facts);
  });

  it('reads RUNPATH and RPATH of programs linked by gcc', () => {
    writeFileSync(join(scratch, 'hello.c'), 'int main(void) { return 0; }\n');
    const runpathProgram = join(scratch, 'with-runpath');
    const rpathProgram = join(scratch, 'with-rpath');
    execFileSync('cc', ['-o', runpathProgram, join(scratch, 'hello.c'), '-Wl,--enable-new-dtags,-rpath,/opt/a:/opt/b', '-lm', '-Wl,--no-as-needed']);
    execFileSync('cc', ['-o', rpathProgram, join(scratch, 'hello.c'), '-Wl,--disable-new-dtags,-rpath,/opt/c']);
    for (const program of [runpathProgram, rpathProgram]) {
      const { machine: _machine, ...info } = readElfDynamicInfo(readFileSync(program));
      expect(info).toEqual(readelfFacts(program));
    }
    expect(readElfDynamicInfo(readFileSync(runpathProgram)).runpath).toEqual(['/opt/a', '/opt/b']);
    expect(readElfDynamicInfo(readFileSync(rpathProgram)).rpath).toEqual(['/opt/c']);
  });

  it('agrees with readelf on system binaries and libraries', () => {
    const files = ['/bin/ls', '/bin/sh', '/usr/bin/cpio', 'node_modules/.bin/node'];
    const libc = execFileSync('cc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
    for (const file of [...files, libc]) {
      const { machine, ...info } = readElfDynamicInfo(readFileSync(file));
      expect(machine).toBe(62);
      expect(info, file).toEqual(readelfFacts(file));
    }
    expect(readElfDynamicInfo(readFileSync(libc)).soname).toBe('libc.so.6');
  });

  it('returns no dynamic facts for a static executable', () => {
    writeFileSync(join(scratch, 'static.c'), 'int main(void) { return 0; }\n');
    const program = join(scratch, 'static');
    execFileSync('cc', ['-static', '-o', program, join(scratch, 'static.c')]);
    expect(readElfDynamicInfo(readFileSync(program))).toMatchObject({ interpreter: undefined, needed: [], runpath: [], rpath: [] });
  });

  it('rejects what it cannot read with a reason', () => {
    expect(() => readElfDynamicInfo(Buffer.from('#!/bin/sh\n'))).toThrow(new ElfError('not an ELF file (bad magic)'));
    const elf32 = buildElf({ needed: ['a'] });
    elf32[4] = 1;
    expect(() => readElfDynamicInfo(elf32)).toThrow('only 64-bit ELF is supported (EI_CLASS 1)');
    const bigEndian = buildElf({ needed: ['a'] });
    bigEndian[5] = 2;
    expect(() => readElfDynamicInfo(bigEndian)).toThrow('only little-endian ELF is supported');
    expect(() => readElfDynamicInfo(buildElf({ needed: ['libx.so'] }).subarray(0, 100))).toThrow(ElfError);
  });
});
