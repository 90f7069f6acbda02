// File-system calls Node lacks (mknod), bounded ones it gets wrong (mkdir -p), and typed wrappers of the others (statfs type, device numbers, symlink).
import { chmodSync, lstatSync, mkdirSync, statSync, statfsSync, symlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { checkInteger, checkPath } from './check';
import { check, libc } from './libc';
import { fromNodeError, viaNode } from './node-error';
import { SysError } from './sys-error';

// statfs f_type values from <linux/magic.h>.
export const RAMFS_MAGIC = 0x858458f6;
export const TMPFS_MAGIC = 0x01021994;
export const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;
export const DEVPTS_SUPER_MAGIC = 0x1cd1;
export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const EXT4_SUPER_MAGIC = 0xef53;
export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;
export const FUSE_SUPER_MAGIC = 0x65735546;
export const V9FS_MAGIC = 0x01021997;
export const NFS_SUPER_MAGIC = 0x6969;
export const SQUASHFS_MAGIC = 0x73717368;

// File type bits of st_mode.
const fileTypeBits = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;

/** A device node (or FIFO) to create. */
export interface MknodSpec {
  path: string;
  type: keyof typeof fileTypeBits;
  /** Permission bits, e.g. 0o600. */
  mode: number;
  major?: number;
  minor?: number;
}

/** Creates a device node with exactly `mode`, e.g. `/dev/console` as char 5:1 before devtmpfs is mounted. */
export function mknod(spec: MknodSpec): void {
  const path = checkPath('mknod', 'path', spec.path);
  const typeBits = fileTypeBits[spec.type];
  if (typeBits === undefined) throw new TypeError(`mknod: type must be char, block or fifo, got ${JSON.stringify(spec.type)}`);
  const mode = typeBits | checkInteger('mknod', 'mode', spec.mode, 0, 0o7777);
  const major = checkInteger('mknod', 'major', spec.major ?? 0);
  const minor = checkInteger('mknod', 'minor', spec.minor ?? 0);
  const args = { path, type: spec.type, mode: spec.mode.toString(8), major, minor };
  check(libc().mknod(path, mode, makedev(major, minor)), 'mknod', args);
  // The umask filtered the mode; device nodes need exactly the one asked for (/dev/null is 0666).
  viaNode('chmod', args, () => chmodSync(path, spec.mode));
}

/** glibc's dev_t encoding of a major:minor pair (12+20 bits of major, 8+24 bits of minor, interleaved). */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & 0xfffff000n) << 32n) | (mi & 0xffn) | ((mi & 0xffffff00n) << 12n);
}

/** The major:minor pair of a dev_t. */
export function splitDev(dev: bigint): { major: number; minor: number } {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

/** The statfs f_type of the file system holding `path` (compare with the *_MAGIC constants). */
export function statfsType(path: string): number {
  checkPath('statfs', 'path', path);
  return viaNode('statfs', { path }, () => statfsSync(path).type) >>> 0;
}

/** Whether `path` lives on an in-memory root a switch root may empty (the initramfs is ramfs or tmpfs). */
export function isRamfsOrTmpfs(path: string): boolean {
  const type = statfsType(path);
  return type === RAMFS_MAGIC || type === TMPFS_MAGIC;
}

/** st_dev of `path` itself (not following a final symlink): deleting the old root must never cross it. */
export function deviceOf(path: string): bigint {
  checkPath('lstat', 'path', path);
  return viaNode('lstat', { path }, () => lstatSync(path, { bigint: true }).dev);
}

/** Creates a symbolic link `path` pointing at `target` (through Node, errors as SysError). */
export function symlink(target: string, path: string): void {
  checkPath('symlink', 'target', target);
  checkPath('symlink', 'path', path);
  viaNode('symlink', { target, path }, () => symlinkSync(target, path));
}

/**
 * Creates `path` and every missing directory above it, as `mkdir -p`, with `mode` (less the umask) for
 * the ones it creates. It makes one mkdir(2) per component, from the root down, so it ends after at
 * most that many calls: Node's `mkdirSync(p, { recursive: true })` retries forever, at 100 % CPU, when
 * mkdir says ENOENT under a parent that exists (anything under /proc, say). A component that exists
 * must be a directory (or a symlink to one); any other failure is a SysError naming that component.
 */
export function makeDirectories(path: string, mode = 0o755): void {
  checkPath('mkdir', 'path', path);
  checkInteger('mkdir', 'mode', mode, 0, 0o7777);
  const names = posix.normalize(path).split('/').filter((name) => name !== '' && name !== '.');
  let component = path.startsWith('/') ? '/' : '.';
  for (const [index, name] of names.entries()) {
    component = posix.join(component, name);
    const args = { path: component, mode: mode.toString(8) };
    const making = index === names.length - 1 ? [] : [`making ${path}`];
    // Most components exist (/proc, /sys, /dev of an initramfs): a stat that finds one costs less than the EEXIST
    // error mkdir would throw, which PID 1 pays for with a stack trace while V8 interprets the boot.
    if (isDirectory(component)) continue;
    try {
      mkdirSync(component, { mode });
    } catch (error) {
      const failure = fromNodeError(error, 'mkdir', args);
      if (!(failure instanceof SysError)) throw failure;
      if (failure.code !== 'EEXIST') throw new SysError({ syscall: 'mkdir', errno: failure.errno, args, hint: making[0] });
      if (!isDirectory(component)) throw new SysError({ syscall: 'mkdir', errno: failure.errno, args, hint: ['it exists and is not a directory', ...making].join(', ') });
    }
  }
}

// Follows a final symlink, as mkdir -p does (/var/run → /run); a dangling one is not a directory.
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}
