// A user namespace with given uid and gid maps, as a descriptor (what mount_setattr's MOUNT_ATTR_IDMAP takes).
// A user namespace needs a process to be created in, and Node's process has threads (unshare(CLONE_NEWUSER)
// refuses those): a holder is cloned into a new one, its maps are written from here, its namespace opened,
// and it is killed and reaped, all before this call returns.
import { closeSync, openSync, writeSync } from 'node:fs';
import { syscallNumbers } from './arch';
import { checkInteger } from './check';
import { close, O_CLOEXEC, O_RDONLY, open } from './fd';
import { koffi } from './koffi';
import { check, lastErrno, libc } from './libc';
import { viaNode } from './node-error';
import { SysError } from './sys-error';
import { nowMs } from '../clock';

/** `count` ids from `inside` in the namespace are the ids from `outside` in ours: one line of uid_map or gid_map. */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** The maps of a user namespace. */
export interface IdMaps {
  users: readonly IdRange[];
  groups: readonly IdRange[];
}

const CLONE_NEWUSER = 0x10000000;
const SIGCHLD = 17;
const SIG_BLOCK = 0;
const SIG_SETMASK = 2;
const WNOHANG = 1;
// The kernel's limit of lines in a map (since 4.15).
const MAX_RANGES = 340;
// The holder only sleeps in pause(2), in a few dozen bytes of stack.
const STACK_SIZE = 64 * 1024;

/** How long a holder killed with SIGKILL may take to be reaped; it sleeps in pause(2), so microseconds in practice. */
export const HOLDER_REAP_TIMEOUT_MS = 1000;

/** A descriptor (close-on-exec) of a new user namespace whose uid_map and gid_map are `maps`. */
export function openUserNamespace(maps: IdMaps): number {
  const uidMap = mapText('users', maps.users);
  const gidMap = mapText('groups', maps.groups);
  const pid = cloneHolder();
  let fd: number;
  try {
    writeMap(pid, 'uid_map', uidMap);
    writeMap(pid, 'gid_map', gidMap);
    fd = open({ path: `/proc/${pid}/ns/user`, flags: O_RDONLY | O_CLOEXEC });
  } catch (error) {
    endHolder(pid);
    throw error;
  }
  try {
    endHolder(pid);
  } catch (error) {
    close(fd);
    throw error;
  }
  return fd;
}

// The map as the kernel takes it: one `inside outside count` line per range, all in one write.
function mapText(name: string, ranges: readonly IdRange[]): string {
  // Not narrowed with Array.isArray, which would turn a readonly array into any[].
  const isArray: boolean = Array.isArray(ranges);
  if (!isArray || ranges.length === 0 || ranges.length > MAX_RANGES) {
    throw new RangeError(`openUserNamespace: ${name} must hold 1 to ${MAX_RANGES} ranges, got ${isArray ? ranges.length : typeof ranges}`);
  }
  return ranges
    .map((range, index) => {
      const inside = checkInteger('openUserNamespace', `${name}[${index}].inside`, range.inside, 0, 0xffff_fffe);
      const outside = checkInteger('openUserNamespace', `${name}[${index}].outside`, range.outside, 0, 0xffff_fffe);
      const count = checkInteger('openUserNamespace', `${name}[${index}].count`, range.count, 1, 0xffff_ffff - Math.max(inside, outside));
      return `${inside} ${outside} ${count}\n`;
    })
    .join('');
}

// A child in a new user namespace that runs nothing but pause(2): glibc's clone(fn, stack, …) calls fn in the
// child, here the C library's pause, so no JavaScript (and nothing of Node's other threads) ever runs there.
// Every signal but SIGKILL is blocked in it (it inherits our mask, which is put back at once), so none of
// Node's handlers can run in it either.
function cloneHolder(): number {
  const c = libc();
  const pause = c.dlsym(null, 'pause');
  if (pause === null) throw new Error('openUserNamespace: the C library has no pause()');
  const stack = Buffer.alloc(STACK_SIZE);
  const top = (koffi().address(stack) + BigInt(STACK_SIZE)) & ~15n;
  const all = Buffer.alloc(8, 0xff);
  const saved = Buffer.alloc(8);
  const sigprocmask = syscallNumbers().rtSigprocmask;
  check(c.syscall(sigprocmask, 'int', SIG_BLOCK, 'uint8_t *', all, 'uint8_t *', saved, 'unsigned long', 8), 'rt_sigprocmask', { how: 'SIG_BLOCK' });
  const pid = c.clone(pause, top, CLONE_NEWUSER | SIGCHLD, null);
  const errno = lastErrno();
  check(c.syscall(sigprocmask, 'int', SIG_SETMASK, 'uint8_t *', saved, 'void *', null, 'unsigned long', 8), 'rt_sigprocmask', { how: 'SIG_SETMASK' });
  if (pid === -1) throw new SysError({ syscall: 'clone', errno, args: { flags: CLONE_NEWUSER | SIGCHLD }, hint: cloneHint(errno) });
  return pid;
}

function cloneHint(errno: number): string | undefined {
  // EPERM: chroot(2)ed (not switched with MS_MOVE), or no CAP_SYS_ADMIN; ENOSPC: user.max_user_namespaces.
  if (errno === 1) return 'a chroot(2)ed process may not create user namespaces, and creating one needs CAP_SYS_ADMIN here';
  if (errno === 28) return 'the limit of user namespaces is reached (sysctl user.max_user_namespaces; 0 disables them)';
  return undefined;
}

// The kernel takes a map in a single write(2) at offset 0, and only once.
function writeMap(pid: number, file: 'uid_map' | 'gid_map', text: string): void {
  const path = `/proc/${pid}/${file}`;
  const bytes = Buffer.from(text);
  const args = { path, map: text.trim().replaceAll('\n', '; ') };
  const fd = viaNode('open', args, () => openSync(path, 'w'));
  try {
    const written = viaNode('write', args, () => writeSync(fd, bytes));
    if (written !== bytes.length) throw new Error(`openUserNamespace: ${path} took ${written} of ${bytes.length} bytes`);
  } finally {
    closeSync(fd);
  }
}

// SIGKILL and a bounded reap of that one pid: a waitpid(pid) takes no one else's status, so PID 1's reaper loses nothing.
function endHolder(pid: number): void {
  viaNode('kill', { pid, signal: 'SIGKILL' }, () => process.kill(pid, 'SIGKILL'));
  const status = new Int32Array(1);
  const deadline = nowMs() + HOLDER_REAP_TIMEOUT_MS;
  for (;;) {
    const reaped = libc().waitpid(pid, status, WNOHANG);
    if (reaped === pid) return;
    if (reaped === -1) throw new SysError({ syscall: 'waitpid', errno: lastErrno(), args: { pid, options: 'WNOHANG' } });
    if (nowMs() >= deadline) throw new Error(`openUserNamespace: the user namespace holder ${pid} was not reaped within ${HOLDER_REAP_TIMEOUT_MS}ms of SIGKILL`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  }
}
