// An idmapped bind mount, as brauner's mount-idmapped (which lcboot ships) makes one: a detached copy of the
// source (open_tree), idmapped with a user namespace's maps (mount_setattr MOUNT_ATTR_IDMAP), attached at the target
// (move_mount). Through it, a file the source's filesystem stores as id I (inside) is seen as outside + (I - inside).
import { checkPath } from './check';
import { close } from './fd';
import { AT_RECURSIVE, MOUNT_ATTR_IDMAP, mountSetattr, moveMount, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE, openTree } from './mount-api';
import { SysError } from './sys-error';
import { openUserNamespace, type IdRange } from './user-namespace';

/** What bindIdmapped takes. */
export interface IdmappedBindSpec {
  source: string;
  target: string;
  /** uid ranges: a file owned by `inside + n` in the source is owned by `outside + n` through the mount. */
  users: readonly IdRange[];
  groups: readonly IdRange[];
  /** Mounts below the source too (OPEN_TREE_CLONE | AT_RECURSIVE, mount_setattr AT_RECURSIVE); default only the source's own mount, as MS_BIND without MS_REC. */
  recursive?: boolean;
}

// errno values from <asm-generic/errno-base.h>, the same on x86_64 and aarch64.
const EPERM = 1;
const EINVAL = 22;
const ENOSYS = 38;

/** Binds `source` on `target` with its ids mapped; failures are SysErrors naming the call that refused. */
export function bindIdmapped(spec: IdmappedBindSpec): void {
  const source = checkPath('bindIdmapped', 'source', spec.source);
  const target = checkPath('bindIdmapped', 'target', spec.target);
  const recursive = spec.recursive === true;
  const userns = openUserNamespace({ users: spec.users, groups: spec.groups });
  try {
    const tree = explained(source, () => openTree(source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0)));
    try {
      explained(source, () => mountSetattr(tree, { attrSet: MOUNT_ATTR_IDMAP, usernsFd: userns, recursive }));
      moveMount(tree, target);
    } finally {
      // After move_mount the mount lives on at the target; before it, closing the descriptor drops the copy.
      close(tree);
    }
  } finally {
    close(userns);
  }
}

// open_tree and mount_setattr name a descriptor; their errors should name the source, and say what usually causes them.
function explained<T>(source: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof SysError)) throw error;
    throw new SysError({ syscall: error.syscall, errno: error.errno, args: { ...error.args, source }, hint: hintFor(error.syscall, error.errno) ?? error.hint });
  }
}

function hintFor(syscall: string, errno: number): string | undefined {
  if (errno === ENOSYS) return `${syscall} needs Linux ${syscall === 'open_tree' ? '5.2' : '5.12'} or later`;
  if (syscall !== 'mount_setattr') return undefined;
  if (errno === EINVAL) return 'the filesystem of the source does not support idmapped mounts (FS_ALLOW_IDMAP), or its mount is idmapped already';
  if (errno === EPERM) return 'idmapping a mount needs CAP_SYS_ADMIN in the user namespace that owns it';
  return undefined;
}
