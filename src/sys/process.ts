// Calls that change the running process itself: exec, session, working and root directory, host name.
import { checkPath, checkStrings } from './check';
import { environmentArray } from './env';
import { syscallNumbers } from './arch';
import { check, lastErrno, libc } from './libc';
import { viaNode } from './node-error';
import { SysError } from './sys-error';

/** What execve(2) takes. */
export interface ExecSpec {
  /** Absolute or relative path of the program; no PATH search. */
  path: string;
  /** argv[0] first. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
}

/** Replaces this process with a program; returns only by throwing. */
export function execve(spec: ExecSpec): never {
  const path = checkPath('execve', 'path', spec.path);
  const argv = checkStrings('execve', 'argv', spec.argv, true);
  const envp = environmentArray('execve', spec.env);
  libc().execve(path, [...argv, null], envp);
  throw new SysError({ syscall: 'execve', errno: lastErrno(), args: { path, argv: argv.join(' ') } });
}

/** Starts a new session with this process as leader, detached from any controlling terminal; returns the session id. */
export function setsid(): number {
  return check(libc().setsid(), 'setsid', {});
}

/** Session id of `pid` (0: this process). */
export function getsid(pid = 0): number {
  return check(libc().getsid(pid), 'getsid', { pid });
}

/** Changes the working directory; through Node, whose process.cwd() is a cache a raw chdir(2) would leave stale. */
export function chdir(path: string): void {
  checkPath('chdir', 'path', path);
  viaNode('chdir', { path }, () => process.chdir(path));
}

/** Changes the root directory; the switch root sequence is `chdir(new)`, MS_MOVE new onto `/`, `chroot('.')`. */
export function chroot(path: string): void {
  checkPath('chroot', 'path', path);
  check(libc().chroot(path), 'chroot', { path });
}

/** Sets the host name of this UTS namespace. */
export function sethostname(name: string): void {
  const length = Buffer.byteLength(name);
  // HOST_NAME_MAX on Linux.
  if (name.includes('\0') || length === 0 || length > 64) {
    throw new TypeError(`sethostname: name must be 1 to 64 bytes without NUL, got ${JSON.stringify(name)}`);
  }
  check(libc().sethostname(name, length), 'sethostname', { name });
}

/** This process's id (Node already knows it). */
export function getpid(): number {
  return process.pid;
}

const PR_SET_CHILD_SUBREAPER = 36;

/**
 * Makes this process the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER): what PID 1
 * does for the whole system, for a supervisor that runs under another init.
 */
export function becomeSubreaper(): void {
  check(libc().syscall(syscallNumbers().prctl, 'int', PR_SET_CHILD_SUBREAPER, 'unsigned long', 1), 'prctl', { option: 'PR_SET_CHILD_SUBREAPER', value: 1 });
}

const SIG_UNBLOCK = 1;

/**
 * Unblocks signals in the calling thread (rt_sigprocmask). Node started with --disable-sigusr1 blocks
 * SIGUSR1 in every thread for an I/O thread it then never starts, so a SIGUSR1 listener never fires.
 */
export function unblockSignals(signals: readonly number[]): void {
  const set = new Uint8Array(8);
  for (const signal of signals) set[(signal - 1) >> 3]! |= 1 << ((signal - 1) & 7);
  check(libc().syscall(syscallNumbers().rtSigprocmask, 'int', SIG_UNBLOCK, 'uint8_t *', set, 'void *', null, 'unsigned long', 8), 'rt_sigprocmask', { how: 'SIG_UNBLOCK', signals: signals.join(',') });
}

/**
 * Changes to `uid`/`gid` with exactly `groups` as supplementary groups: setgroups, then setgid, then setuid.
 * Without `groups` the supplementary groups stay as they are (a user namespace whose setgroups is "deny").
 */
export function changeIdentity(identity: { uid: number; gid: number; groups?: readonly number[] }): void {
  const groups = identity.groups;
  if (groups !== undefined) check(libc().setgroups(groups.length, Uint32Array.from(groups)), 'setgroups', { groups: groups.join(',') });
  check(libc().setgid(identity.gid), 'setgid', { gid: identity.gid });
  check(libc().setuid(identity.uid), 'setuid', { uid: identity.uid });
}
