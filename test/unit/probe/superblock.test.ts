// Filesystem identification on real images made by mkfs (ext4, vfat when mkfs.vfat exists).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceMatches, identifyFileSystem, PROBE_BYTES } from '../../../src/probe/superblock';
import { parseUevent } from '../../../src/probe/uevent';

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

describe('deviceMatches with a partition', () => {
  const partition = { uuid: '6e0f1f4b-33b5-4c4c-9a3a-0123456789ab', label: 'EFI system' };

  it('PARTUUID= in any case and PARTLABEL= exactly; never from the filesystem', () => {
    expect(deviceMatches('PARTUUID=6E0F1F4B-33B5-4C4C-9A3A-0123456789AB', '/dev/vda1', undefined, partition)).toBe(true);
    expect(deviceMatches('PARTLABEL=EFI system', '/dev/vda1', undefined, partition)).toBe(true);
    expect(deviceMatches('PARTLABEL=efi system', '/dev/vda1', undefined, partition)).toBe(false);
    expect(deviceMatches('PARTUUID=1234abcd-01', '/dev/vda1', { type: 'ext4', label: undefined, uuid: '1234abcd-01' })).toBe(false);
    expect(deviceMatches('PARTLABEL=x', '/dev/vda1', undefined, { uuid: '1234abcd-01', label: undefined })).toBe(false);
  });

  it('reads PARTUUID and PARTNAME from a uevent as the kernel writes it', () => {
    const uevent = parseUevent('MAJOR=254\nMINOR=1\nDEVNAME=vda1\nDEVTYPE=partition\nDISKSEQ=9\nPARTN=1\nPARTUUID=6e0f1f4b-33b5-4c4c-9a3a-0123456789ab\nPARTNAME=EFI system\n');
    expect([uevent.get('DEVNAME'), uevent.get('PARTUUID'), uevent.get('PARTNAME')]).toEqual(['vda1', partition.uuid, partition.label]);
  });
});
