// mknod, statfs types, device numbers, symlink and mkdir -p for real, inside a fresh mount namespace.
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
    made: { modes: number[]; throughSymlink: boolean };
    makeFailures: Record<'underProc' | 'procItself' | 'underProcSelf' | 'throughFile' | 'throughDangling' | 'fileInTheWay', { error: ErrorReport | null; ms: number }>;
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

  it('makes directories like mkdir -p: each missing one with the mode less the umask, through symlinks to directories', () => {
    expect(result.made.modes).toEqual([0o750, 0o750, 0o750]);
    expect(result.made.throughSymlink).toBe(true);
  });

  it('fails at once, naming the component and errno, where a directory cannot be made (Node\'s recursive mkdir spins forever under /proc)', () => {
    const { underProc, procItself, underProcSelf, throughFile, throughDangling, fileInTheWay } = result.makeFailures;
    for (const { ms } of Object.values(result.makeFailures)) expect(ms).toBeLessThan(1000);
    expect(underProc.error).toMatchObject({ name: 'SysError', syscall: 'mkdir', code: 'ENOENT' });
    expect(underProc.error?.message).toBe('mkdir(path="/proc/nope", mode="755"): ENOENT (No such file or directory); making /proc/nope/x/y');
    expect(procItself.error?.message).toBe('mkdir(path="/proc/nope", mode="755"): ENOENT (No such file or directory)');
    expect(underProcSelf.error).toMatchObject({ code: 'ENOENT', syscall: 'mkdir' });
    expect(underProcSelf.error?.message).toMatch(/^mkdir\(path="\/proc\/self\/nope"/);
    expect(throughFile.error?.message).toBe('mkdir(path="/tmp/null", mode="755"): EEXIST (File exists); it exists and is not a directory, making /tmp/null/x');
    expect(throughDangling.error).toMatchObject({ code: 'EEXIST', syscall: 'mkdir' });
    expect(throughDangling.error?.message).toContain('path="/tmp/dangling"');
    expect(fileInTheWay.error?.message).toBe('mkdir(path="/tmp/null", mode="755"): EEXIST (File exists); it exists and is not a directory');
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
