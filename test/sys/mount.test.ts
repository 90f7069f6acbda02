// mount, umount2 and pivot_root for real, as root inside fresh mount namespaces.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

interface MountEntry {
  target: string;
  options: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}
interface ErrorReport {
  name: string;
  code?: string;
  syscall?: string;
  message: string;
}

describe('mount and umount', () => {
  let result: {
    flagged: MountEntry | null;
    moved: { fromMounted: boolean; to: MountEntry | null; marker: string };
    bind: { marker: string; options: string[]; writeThroughReadOnly: ErrorReport | null; writeThroughOriginal: ErrorReport | null };
    detached: { plainUmount: ErrorReport | null; stillListed: boolean; fileStillReadable: string };
    failures: Record<'missingTarget' | 'unknownType' | 'moveNonMount' | 'emptyTarget' | 'umountNonMount', ErrorReport | null>;
    missingExists: boolean;
  };
  beforeAll(() => {
    result = fixtureResult(runFixture('mount'));
  });

  it('mounts a tmpfs with the flags and data asked for', () => {
    expect(result.flagged?.fsType).toBe('tmpfs');
    expect(result.flagged?.source).toBe('flagged');
    expect(result.flagged?.options).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    expect(result.flagged?.superOptions).toEqual(expect.arrayContaining(['size=1024k', 'mode=750']));
  });

  it('moves a mount with MS_MOVE, contents and all', () => {
    expect(result.moved.fromMounted).toBe(false);
    expect(result.moved.to?.source).toBe('moving');
    expect(result.moved.marker).toBe('moved');
  });

  it('bind-mounts and remounts the bind read-only without touching the original', () => {
    expect(result.bind.marker).toBe('moved');
    expect(result.bind.options).toContain('ro');
    expect(result.bind.writeThroughReadOnly?.message).toMatch(/EROFS/);
    expect(result.bind.writeThroughOriginal).toBeNull();
  });

  it('refuses to unmount a busy mount, and detaches it with MNT_DETACH', () => {
    expect(result.detached.plainUmount).toMatchObject({ name: 'SysError', code: 'EBUSY', syscall: 'umount2' });
    expect(result.detached.stillListed).toBe(false);
    expect(result.detached.fileStillReadable).toBe('moved');
  });

  it('throws SysErrors that name the call, its arguments and errno', () => {
    const { missingTarget, unknownType, moveNonMount, umountNonMount } = result.failures;
    expect(missingTarget).toMatchObject({ name: 'SysError', code: 'ENOENT', syscall: 'mount' });
    expect(missingTarget?.message).toMatch(/^mount\(source="none", target="\/tmp\/missing", fsType="tmpfs", flags=0, data=null\): ENOENT \(No such file or directory\)$/);
    expect(unknownType).toMatchObject({ code: 'ENODEV' });
    expect(unknownType?.message).toContain('fsType="no-such-fs"');
    expect(moveNonMount).toMatchObject({ code: 'EINVAL' });
    expect(moveNonMount?.message).toContain('flags=0x2000');
    expect(umountNonMount).toMatchObject({ code: 'EINVAL', syscall: 'umount2' });
    expect(result.missingExists).toBe(false);
  });

  it('rejects an empty target before calling the kernel', () => {
    expect(result.failures.emptyTarget).toEqual({ name: 'TypeError', message: 'mount: target must be a non-empty path without NUL bytes, got ""' });
  });
});

describe('pivot_root', () => {
  let result: {
    notAMountPoint: ErrorReport | null;
    afterPivot: { root: MountEntry | null; entries: string[]; oldRootHasProc: boolean };
    oldAfterDetach: string[];
  };
  beforeAll(() => {
    result = fixtureResult(runFixture('pivot-root'));
  });

  it('makes the new tmpfs the root and puts the old root under it', () => {
    expect(result.afterPivot.root).toMatchObject({ target: '/', fsType: 'tmpfs', source: 'newroot' });
    expect(result.afterPivot.entries).toEqual(['marker', 'old']);
    expect(result.afterPivot.oldRootHasProc).toBe(true);
    expect(result.oldAfterDetach).toEqual([]);
  });

  it('fails with EINVAL when the new root is not a mount point', () => {
    expect(result.notAMountPoint).toMatchObject({ name: 'SysError', code: 'EINVAL', syscall: 'pivot_root' });
    expect(result.notAMountPoint?.message).toContain('newRoot="/tmp/plain", putOld="/tmp/plain/old"');
  });
});

describe('switch root by MS_MOVE and chroot', () => {
  it('ends in the new root with /proc moved along and the cwd at /', () => {
    const result = fixtureResult<{
      entries: string[];
      procMoved: boolean;
      cwd: string;
      chrootMissing: ErrorReport | null;
      chdirMissing: ErrorReport | null;
    }>(runFixture('switch-root'));
    expect(result.entries).toEqual(['marker', 'proc']);
    expect(result.procMoved).toBe(true);
    expect(result.cwd).toBe('/');
    expect(result.chrootMissing).toMatchObject({ code: 'ENOENT', syscall: 'chroot' });
    expect(result.chdirMissing).toMatchObject({ code: 'ENOENT', syscall: 'chdir' });
  });
});
