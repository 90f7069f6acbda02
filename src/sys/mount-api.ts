// The descriptor-based mount calls of Linux 5.2 and 5.12 that mount(2) has no equivalent of: open_tree (a detached
// copy of a mount), mount_setattr (attributes, an id mapping among them) and move_mount (attach it somewhere).
import { endianness } from 'node:os';
import { syscallNumbers } from './arch';
import { checkFd, checkInteger, checkPath } from './check';
import { O_CLOEXEC } from './fd';
import { check, libc } from './libc';

// From <linux/mount.h> and <linux/fcntl.h>, the same on x86_64 and aarch64.
export const OPEN_TREE_CLONE = 0x1;
export const OPEN_TREE_CLOEXEC = O_CLOEXEC;
export const AT_FDCWD = -100;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_IDMAP = 0x100000;

/** struct mount_attr as of MOUNT_ATTR_SIZE_VER0: four __u64, attr_set, attr_clr, propagation and userns_fd. */
export const mountAttrLayout = { size: 32, attrSet: 0, attrClear: 8, propagation: 16, usernsFd: 24 } as const;

/** What mount_setattr(2) changes on a mount (and with `recursive`, on every mount below it). */
export interface MountAttributes {
  /** MOUNT_ATTR_* to set. */
  attrSet: number;
  /** MOUNT_ATTR_* to clear. */
  attrClear?: number;
  /** MS_PRIVATE, MS_SLAVE, MS_SHARED or MS_UNBINDABLE; 0 leaves propagation alone. */
  propagation?: number;
  /** The user namespace whose maps idmap the mount, with MOUNT_ATTR_IDMAP. */
  usernsFd?: number;
  recursive?: boolean;
}

/** struct mount_attr for `attributes`, in the machine's byte order. */
export function encodeMountAttr(attributes: MountAttributes): Buffer {
  const bytes = Buffer.alloc(mountAttrLayout.size);
  const little = endianness() === 'LE';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setBigUint64(mountAttrLayout.attrSet, BigInt(attributes.attrSet), little);
  view.setBigUint64(mountAttrLayout.attrClear, BigInt(attributes.attrClear ?? 0), little);
  view.setBigUint64(mountAttrLayout.propagation, BigInt(attributes.propagation ?? 0), little);
  view.setBigUint64(mountAttrLayout.usernsFd, BigInt(attributes.usernsFd ?? 0), little);
  return bytes;
}

/** open_tree(AT_FDCWD, path, flags): a descriptor of the mount at `path`, or with OPEN_TREE_CLONE a detached copy of it. */
export function openTree(path: string, flags: number): number {
  checkPath('open_tree', 'path', path);
  checkInteger('open_tree', 'flags', flags, 0, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  return check(libc().syscall(syscallNumbers().openTree, 'int', AT_FDCWD, 'str', path, 'unsigned int', flags), 'open_tree', { path, flags });
}

/** mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE], attributes): changes the mount `fd` refers to. */
export function mountSetattr(fd: number, attributes: MountAttributes): void {
  checkFd('mount_setattr', 'fd', fd);
  checkInteger('mount_setattr', 'attrSet', attributes.attrSet);
  checkInteger('mount_setattr', 'attrClear', attributes.attrClear ?? 0);
  checkInteger('mount_setattr', 'propagation', attributes.propagation ?? 0);
  if (attributes.usernsFd !== undefined) checkFd('mount_setattr', 'usernsFd', attributes.usernsFd);
  const flags = AT_EMPTY_PATH | (attributes.recursive === true ? AT_RECURSIVE : 0);
  const attr = encodeMountAttr(attributes);
  const result = libc().syscall(syscallNumbers().mountSetattr, 'int', fd, 'str', '', 'unsigned int', flags, 'uint8_t *', attr, 'unsigned long', attr.length);
  check(result, 'mount_setattr', { fd, flags, attrSet: attributes.attrSet, attrClear: attributes.attrClear ?? 0, usernsFd: attributes.usernsFd ?? null });
}

/** move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH): attaches the mount `fd` refers to at `target`. */
export function moveMount(fd: number, target: string): void {
  checkFd('move_mount', 'fd', fd);
  checkPath('move_mount', 'target', target);
  const result = libc().syscall(syscallNumbers().moveMount, 'int', fd, 'str', '', 'int', AT_FDCWD, 'str', target, 'unsigned int', MOVE_MOUNT_F_EMPTY_PATH);
  check(result, 'move_mount', { fd, target, flags: MOVE_MOUNT_F_EMPTY_PATH });
}
