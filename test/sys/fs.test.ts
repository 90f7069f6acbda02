// mknod, statfs types, device numbers and symlink for real, inside a fresh mount namespace.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

interface ErrorReport {
  name: string;
  code?: string;
  syscall?: string;
  message: string;
}

describe('file-system calls', () => {
  let result: {
    types: { tmp: number; ram: number; proc: number; tmpfsMagic: number; ramfsMagic: number; tmpIsRam: boolean; procIsRam: boolean };
    nullDevice: { isCharacterDevice: boolean; mode: number; rdev: { major: number; minor: number } };
    loop300: { isBlockDevice: boolean; rdev: { major: number; minor: number } };
    fifo: boolean;
    devices: { tmpEqualsItself: boolean; tmpDiffersFromRam: boolean; ramMajor: number };
    link: string;
    failures: Record<'existing' | 'openOnNodev' | 'statfsMissing' | 'symlinkExisting' | 'badType', ErrorReport | null>;
  };
  beforeAll(() => {
    result = fixtureResult(runFixture('fs'));
  });

  it('tells tmpfs and ramfs from other file systems by statfs type', () => {
    expect(result.types.tmp).toBe(0x01021994);
    expect(result.types.ram).toBe(0x858458f6);
    expect(result.types.proc).toBe(0x9fa0);
    expect(result.types.tmpIsRam).toBe(true);
    expect(result.types.procIsRam).toBe(false);
  });

  it('creates character and block devices and FIFOs with exact modes and numbers', () => {
    expect(result.nullDevice).toEqual({ isCharacterDevice: true, mode: 0o666, rdev: { major: 1, minor: 3 } });
    expect(result.loop300).toEqual({ isBlockDevice: true, rdev: { major: 7, minor: 300 } });
    expect(result.fifo).toBe(true);
  });

  it('tells mounts apart by device number', () => {
    expect(result.devices).toEqual({ tmpEqualsItself: true, tmpDiffersFromRam: true, ramMajor: 0 });
  });

  it('creates symlinks', () => {
    expect(result.link).toBe('/tmp/null');
  });

  it('reports failures as SysErrors, including those of calls made through Node', () => {
    expect(result.failures.existing).toMatchObject({ code: 'EEXIST', syscall: 'mknod' });
    expect(result.failures.existing?.message).toBe('mknod(path="/tmp/null", type="char", mode="666", major=1, minor=3): EEXIST (File exists)');
    expect(result.failures.openOnNodev?.message).toMatch(/EACCES/);
    expect(result.failures.statfsMissing).toMatchObject({ name: 'SysError', code: 'ENOENT', syscall: 'statfs' });
    expect(result.failures.symlinkExisting).toMatchObject({ name: 'SysError', code: 'EEXIST', syscall: 'symlink' });
    expect(result.failures.badType).toMatchObject({ name: 'TypeError' });
  });
});
