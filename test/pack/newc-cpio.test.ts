// The newc writer checked against GNU cpio: listing and extraction (device nodes need root).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNewc } from '../../src/pack/newc';
import { entries } from '../unit/pack/newc-entries';
import { listCpio } from './cpio-listing';

const scratch = mkdtempSync(join(tmpdir(), 'newc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('writeNewc read by GNU cpio', () => {
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

  it('extracts with cpio -idm to the same contents, modes, mtimes and devices', () => {
    const out = mkdtempSync(join(scratch, 'x-'));
    execFileSync('cpio', ['-idm', '--quiet', '--no-absolute-filenames'], { input: archive, cwd: out });
    for (const entry of entries) {
      const path = join(out, entry.path);
      const stat = lstatSync(path);
      if (entry.kind === 'file') {
        expect(readFileSync(path).equals(Buffer.from(entry.data)), entry.path).toBe(true);
        expect(stat.mode & 0o7777).toBe(entry.mode);
        expect(stat.mtimeMs).toBe(1_700_000_000_000);
      }
      if (entry.kind === 'directory') expect(stat.isDirectory()).toBe(true);
      if (entry.kind === 'symlink') expect(readlinkSync(path)).toBe(entry.target);
      if (entry.kind === 'charDevice') {
        expect(stat.isCharacterDevice()).toBe(true);
        expect(stat.rdev).toBe(entry.major * 256 + entry.minor);
        expect(stat.mode & 0o7777).toBe(entry.mode);
      }
    }
  });
});
