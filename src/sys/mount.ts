// Mounting, unmounting and pivot_root: the calls that build and switch the root file system.
import { checkInteger, checkPath, checkString } from './check';
import { check, libc } from './libc';
import { syscallNumbers } from './arch';

// Mount flags from <linux/mount.h>.
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_POSIXACL = 0x10000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;
export const MS_LAZYTIME = 0x2000000;

// umount2 flags from <sys/mount.h>.
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const MNT_EXPIRE = 0x4;
export const UMOUNT_NOFOLLOW = 0x8;

/** What mount(2) takes; `source`/`fsType`/`data` may be absent for bind, move and propagation changes. */
export interface MountSpec {
  source?: string | null;
  target: string;
  fsType?: string | null;
  flags?: number;
  /** File-system specific options, comma separated (`mode=755,size=10%`). */
  data?: string | null;
}

/** Mounts `source` on `target`; throws a SysError naming every argument on failure. */
export function mount(spec: MountSpec): void {
  const target = checkPath('mount', 'target', spec.target);
  const source = spec.source == null ? null : checkString('mount', 'source', spec.source);
  const fsType = spec.fsType == null ? null : checkString('mount', 'fsType', spec.fsType);
  const flags = checkInteger('mount', 'flags', spec.flags ?? 0);
  const data = spec.data == null ? null : checkString('mount', 'data', spec.data);
  check(libc().mount(source, target, fsType, flags, data), 'mount', { source, target, fsType, flags, data });
}

/** What umount2(2) takes. */
export interface UmountSpec {
  target: string;
  /** MNT_DETACH, MNT_FORCE, MNT_EXPIRE, UMOUNT_NOFOLLOW. */
  flags?: number;
}

/** Unmounts `target`; with MNT_DETACH it vanishes from the tree at once and is freed when no longer busy. */
export function umount(spec: UmountSpec): void {
  const target = checkPath('umount2', 'target', spec.target);
  const flags = checkInteger('umount2', 'flags', spec.flags ?? 0, 0, 0xf);
  check(libc().umount2(target, flags), 'umount2', { target, flags });
}

/**
 * Makes `newRoot` the root of this mount namespace and moves the old root to `putOld` (under newRoot).
 * Not usable from an initramfs, whose root is rootfs: switch root there with MS_MOVE + chroot instead.
 */
export function pivotRoot(newRoot: string, putOld: string): void {
  checkPath('pivot_root', 'newRoot', newRoot);
  checkPath('pivot_root', 'putOld', putOld);
  // glibc has no wrapper for pivot_root(2).
  const result = libc().syscall(syscallNumbers().pivotRoot, 'str', newRoot, 'str', putOld);
  check(result, 'pivot_root', { newRoot, putOld });
}
