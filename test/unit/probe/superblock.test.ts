// Filesystem identification on real images made by mkfs (ext4, vfat when mkfs.vfat exists).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceMatches, identifyFileSystem, PROBE_BYTES } from '../../../src/probe/superblock';

const dir = mkdtempSync(join(tmpdir(), 'superblock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function image(name: string, size: string): string {
  const path = join(dir, name);
  execFileSync('truncate', ['-s', size, path]);
  return path;
}

describe('identifyFileSystem', () => {
  it('reads type, label and UUID of an ext4 image made by mkfs.ext4', () => {
    const path = image('root.ext4', '8M');
    const uuid = '0b1e9a5c-2f0e-4c7b-9d3a-5e6f7a8b9c0d';
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'guestroot', '-U', uuid, path]);
    const identity = identifyFileSystem(readFileSync(path).subarray(0, PROBE_BYTES));
    expect(identity).toEqual({ type: 'ext4', label: 'guestroot', uuid });
    expect(deviceMatches('LABEL=guestroot', '/dev/vda', identity)).toBe(true);
    expect(deviceMatches(`UUID=${uuid.toUpperCase()}`, '/dev/vda', identity)).toBe(true);
    expect(deviceMatches('LABEL=other', '/dev/vda', identity)).toBe(false);
    expect(deviceMatches('/dev/vda', '/dev/vda', identity)).toBe(true);
  });

  it('reads a vfat label and volume id', () => {
    const path = image('efi.vfat', '40M');
    execFileSync('mkfs.vfat', ['-F', '32', '-n', 'EFI', '-i', '1234ABCD', path], { stdio: 'ignore' });
    expect(identifyFileSystem(readFileSync(path).subarray(0, PROBE_BYTES))).toEqual({ type: 'vfat', label: 'EFI', uuid: '1234-ABCD' });
  });

  it('returns undefined for zeros and for short input', () => {
    expect(identifyFileSystem(new Uint8Array(PROBE_BYTES))).toBeUndefined();
    expect(identifyFileSystem(new Uint8Array(10))).toBeUndefined();
  });
});
