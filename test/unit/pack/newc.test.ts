// The newc writer's byte layout: 4-byte alignment, the trailer, reproducibility and refused input.
import { describe, expect, it } from 'vitest';
import { writeNewc, writeNewcChunks } from '../../../src/pack/newc';
import { entries } from './newc-entries';

describe('writeNewc', () => {
  const archive = writeNewc(entries, { mtime: 1_700_000_000 });

  it('keeps every header on a 4-byte boundary and ends with TRAILER!!!', () => {
    let offset = 0;
    const names: string[] = [];
    while (offset < archive.length) {
      expect(offset % 4).toBe(0);
      expect(archive.toString('latin1', offset, offset + 6)).toBe('070701');
      const field = (i: number): number => parseInt(archive.toString('latin1', offset + 6 + i * 8, offset + 14 + i * 8), 16);
      const nameSize = field(11);
      const size = field(6);
      names.push(archive.toString('latin1', offset + 110, offset + 110 + nameSize - 1));
      offset = align4(align4(offset + 110 + nameSize) + size);
    }
    expect(offset).toBe(archive.length);
    expect(names.at(-1)).toBe('TRAILER!!!');
    expect(archive.length % 4).toBe(0);
  });

  it('gives byte-identical output for the same input', () => {
    const again = writeNewc(entries.map((entry) => ({ ...entry })), { mtime: 1_700_000_000 });
    expect(again.equals(archive)).toBe(true);
    expect(Buffer.concat(writeNewcChunks(entries, { mtime: 1_700_000_000 })).equals(archive)).toBe(true);
    expect(writeNewc(entries).equals(archive)).toBe(false);
  });

  it('refuses bad paths, duplicates and modes', () => {
    expect(() => writeNewc([{ kind: 'directory', path: 'a/../b', mode: 0o755 }])).toThrow('cpio: bad entry path "a/../b"');
    expect(() => writeNewc([{ kind: 'directory', path: 'TRAILER!!!', mode: 0o755 }])).toThrow(/bad entry path/);
    expect(() => writeNewc([
      { kind: 'directory', path: 'a', mode: 0o755 },
      { kind: 'directory', path: '/a', mode: 0o755 },
    ])).toThrow('cpio: a is in the archive twice');
    expect(() => writeNewc([{ kind: 'file', path: 'a', mode: 0o100644, data: new Uint8Array(0) }])).toThrow(/mode 100644, outside/);
  });
});

function align4(n: number): number {
  return (n + 3) & ~3;
}
