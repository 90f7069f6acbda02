// The newc writer checked against GNU cpio: listing, extraction, alignment and reproducibility.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CpioEntry, writeNewc, writeNewcChunks } from '../../../src/pack/newc';
import { listCpio } from '../../pack/cpio-listing';

const scratch = mkdtempSync(join(tmpdir(), 'newc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Data lengths 0..5 and odd name lengths exercise every padding case.
const entries: CpioEntry[] = [
  { kind: 'directory', path: 'etc', mode: 0o755 },
  { kind: 'directory', path: 'tmp', mode: 0o1777 },
  { kind: 'file', path: 'etc/empty', mode: 0o644, data: new Uint8Array(0) },
  { kind: 'file', path: 'etc/a', mode: 0o600, data: Buffer.from('1') },
  { kind: 'file', path: 'etc/bb', mode: 0o640, data: Buffer.from('12') },
  { kind: 'file', path: 'etc/ccc', mode: 0o644, data: Buffer.from('123') },
  { kind: 'file', path: 'etc/dddd', mode: 0o755, data: Buffer.from('1234') },
  { kind: 'file', path: 'etc/eeeee', mode: 0o4755, data: Buffer.from('12345') },
  { kind: 'file', path: 'etc/big', mode: 0o644, data: Buffer.alloc(70_001, 0xab) },
  { kind: 'symlink', path: 'etc/link', target: 'ccc' },
  { kind: 'symlink', path: 'etc/abs', target: '/etc/bb' },
  { kind: 'directory', path: 'dev', mode: 0o755 },
  { kind: 'charDevice', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  { kind: 'charDevice', path: 'dev/null', mode: 0o666, major: 1, minor: 3 },
];

const cpio = (args: string[], input: Buffer, cwd = scratch): string =>
  execFileSync('cpio', args, { input, cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

describe('writeNewc', () => {
  const archive = writeNewc(entries, { mtime: 1_700_000_000 });

  it('is listed by cpio -itv with every name, type, mode and device', () => {
    const listing = listCpio(archive);
    expect([...listing.keys()]).toEqual(entries.map((entry) => entry.path));
    expect(listing.get('etc')).toMatchObject({ permissions: 'drwxr-xr-x', links: 2, owner: 'root', group: 'root', size: 0 });
    expect(listing.get('tmp')?.permissions).toBe('drwxrwxrwt');
    expect(listing.get('etc/a')).toMatchObject({ permissions: '-rw-------', links: 1, size: 1 });
    expect(listing.get('etc/eeeee')).toMatchObject({ permissions: '-rwsr-xr-x', size: 5 });
    expect(listing.get('etc/big')?.size).toBe(70_001);
    expect(listing.get('etc/link')).toMatchObject({ permissions: 'lrwxrwxrwx', target: 'ccc' });
    expect(listing.get('etc/abs')?.target).toBe('/etc/bb');
    expect(listing.get('dev/console')).toMatchObject({ permissions: 'crw-------', device: [5, 1], owner: 'root' });
    expect(listing.get('dev/null')).toMatchObject({ permissions: 'crw-rw-rw-', device: [1, 3] });
  });

  it('extracts with cpio -idm to the same contents, modes and mtimes', () => {
    const out = mkdtempSync(join(scratch, 'x-'));
    cpio(['-idm', '--quiet', '--no-absolute-filenames'], archive, out);
    for (const entry of entries) {
      const path = join(out, entry.path);
      const stat = lstatSync(path);
      if (entry.kind === 'file') {
        expect(readFileSync(path).equals(Buffer.from(entry.data))).toBe(true);
        expect(stat.mode & 0o7777).toBe(entry.mode);
        expect(stat.mtimeMs).toBe(1_700_000_000_000);
      }
      if (entry.kind === 'directory') expect(stat.isDirectory()).toBe(true);
      if (entry.kind === 'symlink') expect(readlinkSync(path)).toBe(entry.target);
      if (entry.kind === 'charDevice') {
        expect(stat.isCharacterDevice()).toBe(true);
        expect(stat.rdev).toBe(entry.major * 256 + entry.minor);
      }
    }
  });

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
