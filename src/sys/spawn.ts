// Starting children with posix_spawn (clean signals, own session, chosen stdio) and reaping them with waitpid.
import { constants } from 'node:os';
import { checkFd, checkInteger, checkPath, checkStrings } from './check';
import { environmentArray } from './env';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from './fd';
import { check, checkReturned, libc } from './libc';
import { viaNode } from './node-error';

// posix_spawnattr_setflags flags from glibc's <spawn.h>.
const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;

const WNOHANG = 1;

// glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128: opaque buffers with room to spare.
const FILE_ACTIONS_SIZE = 256;
const ATTRIBUTES_SIZE = 512;
const SIGSET_SIZE = 128;

/**
 * Where a child's standard stream comes from: `'inherit'` keeps ours (FD_CLOEXEC cleared),
 * `'null'` is /dev/null, a number is that descriptor as already set up in the child (so
 * `err: 1` is `2>&1`, and numbers ≥ 3 are ours), an object opens a file in the child.
 */
export type StdioSource = 'inherit' | 'null' | number | { path: string; flags?: number; mode?: number };

/** What posixSpawn takes. */
export interface SpawnSpec {
  /** Path of the program; no PATH search. */
  path: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd?: string;
  /** Start a new session (and process group); a terminal then opened on stdio becomes its controlling tty. */
  setsid?: boolean;
  /** Start a new process group without a new session. */
  setpgid?: boolean;
  stdio?: { in?: StdioSource; out?: StdioSource; err?: StdioSource };
  /** Close every descriptor ≥ 3 in the child, whatever its FD_CLOEXEC (default true: Node leaks some). */
  closeFrom3?: boolean;
  /** Descriptors of ours the child gets as 3, 4, … in this order (kept across closeFrom3; each ≥ 3). */
  passFds?: readonly number[];
}

/**
 * Starts a program and returns its pid. The child has an empty blocked-signal mask and every signal
 * at its default disposition, whatever Node set up. glibc reports a failed exec as the call's error.
 */
export function posixSpawn(spec: SpawnSpec): number {
  const path = checkPath('posix_spawn', 'path', spec.path);
  const argv = checkStrings('posix_spawn', 'argv', spec.argv, true);
  const envp = environmentArray('posix_spawn', spec.env);
  const c = libc();
  const fileActions = Buffer.alloc(FILE_ACTIONS_SIZE);
  const attributes = Buffer.alloc(ATTRIBUTES_SIZE);
  checkReturned(c.posix_spawn_file_actions_init(fileActions), 'posix_spawn_file_actions_init', {});
  try {
    checkReturned(c.posix_spawnattr_init(attributes), 'posix_spawnattr_init', {});
    try {
      setAttributes(attributes, spec);
      addFileActions(fileActions, spec);
      const pid = new Int32Array(1);
      const result = c.posix_spawn(pid, path, fileActions, attributes, [...argv, null], envp);
      checkReturned(result, 'posix_spawn', { path, argv: argv.join(' '), cwd: spec.cwd ?? null });
      return pid[0] ?? 0;
    } finally {
      c.posix_spawnattr_destroy(attributes);
    }
  } finally {
    c.posix_spawn_file_actions_destroy(fileActions);
  }
}

function setAttributes(attributes: Buffer, spec: SpawnSpec): void {
  const c = libc();
  const empty = Buffer.alloc(SIGSET_SIZE);
  c.sigemptyset(empty);
  // sigfillset leaves out glibc's internal signals 32 and 33, which posix_spawn then leaves ignored
  // across exec; setting every bit of signals 1-64 by hand resets those to default too.
  const all = Buffer.alloc(SIGSET_SIZE);
  all.fill(0xff, 0, 8);
  checkReturned(c.posix_spawnattr_setsigmask(attributes, empty), 'posix_spawnattr_setsigmask', {});
  checkReturned(c.posix_spawnattr_setsigdefault(attributes, all), 'posix_spawnattr_setsigdefault', {});
  let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (spec.setsid === true) flags |= POSIX_SPAWN_SETSID;
  else if (spec.setpgid === true) {
    flags |= POSIX_SPAWN_SETPGROUP;
    checkReturned(c.posix_spawnattr_setpgroup(attributes, 0), 'posix_spawnattr_setpgroup', { pgroup: 0 });
  }
  checkReturned(c.posix_spawnattr_setflags(attributes, flags), 'posix_spawnattr_setflags', { flags });
}

// glibc runs file actions in order, after setsid: stdio 0, 1, 2 first, then chdir, then closefrom.
function addFileActions(fileActions: Buffer, spec: SpawnSpec): void {
  const c = libc();
  const sources = [spec.stdio?.in, spec.stdio?.out, spec.stdio?.err];
  sources.forEach((source = 'inherit', target) => {
    const name = ['stdio.in', 'stdio.out', 'stdio.err'][target] ?? 'stdio';
    if (source === 'inherit' || typeof source === 'number') {
      const from = source === 'inherit' ? target : checkFd('posix_spawn', name, source);
      // adddup2 with from === target clears FD_CLOEXEC (glibc ≥ 2.29), which libuv sets on 1 and 2.
      checkReturned(c.posix_spawn_file_actions_adddup2(fileActions, from, target), 'posix_spawn_file_actions_adddup2', { fd: from, newFd: target });
      return;
    }
    const file = source === 'null' ? { path: '/dev/null', flags: target === 0 ? O_RDONLY : O_WRONLY } : source;
    const path = checkPath('posix_spawn', `${name}.path`, file.path);
    const flags = checkInteger('posix_spawn', `${name}.flags`, file.flags ?? (target === 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC));
    const mode = checkInteger('posix_spawn', `${name}.mode`, file.mode ?? 0o644, 0, 0o7777);
    checkReturned(c.posix_spawn_file_actions_addopen(fileActions, target, path, flags, mode), 'posix_spawn_file_actions_addopen', { fd: target, path, flags, mode });
  });
  if (spec.cwd !== undefined) {
    const cwd = checkPath('posix_spawn', 'cwd', spec.cwd);
    checkReturned(c.posix_spawn_file_actions_addchdir_np(fileActions, cwd), 'posix_spawn_file_actions_addchdir_np', { cwd });
  }
  const passed = checkPassFds(spec.passFds ?? []);
  passed.forEach((from, index) => {
    checkReturned(c.posix_spawn_file_actions_adddup2(fileActions, from, 3 + index), 'posix_spawn_file_actions_adddup2', { fd: from, newFd: 3 + index });
  });
  if (spec.closeFrom3 ?? true) {
    const first = 3 + passed.length;
    checkReturned(c.posix_spawn_file_actions_addclosefrom_np(fileActions, first), 'posix_spawn_file_actions_addclosefrom_np', { from: first });
  }
}

// The dup2s run in order: a descriptor still to be passed must not be overwritten by an earlier one's target.
function checkPassFds(fds: readonly number[]): readonly number[] {
  fds.forEach((fd, index) => {
    checkInteger('posix_spawn', `passFds[${index}]`, fd, 3, 0x7fff_ffff);
    const clobbered = fds.findIndex((other, earlier) => earlier < index && 3 + earlier === fd && other !== fd);
    if (clobbered >= 0) throw new RangeError(`posix_spawn: passFds[${index}] (${fd}) would be overwritten by passFds[${clobbered}] becoming ${fd}; pass it earlier or dup it above ${2 + fds.length}`);
  });
  return fds;
}

/** How a reaped child ended: exited with a code, or killed by a signal. */
export type ChildExit = { pid: number; exitCode: number } | { pid: number; signal: number; signalName: string; coreDumped: boolean };

// One status word for every call: JavaScript is single-threaded and the word is read before the next call.
const waitStatus = new Int32Array(1);

/** Reaps one ended child of this process without blocking; null when none has ended (or there are none). */
export function waitAny(): ChildExit | null {
  const status = waitStatus;
  const pid = libc().waitpid(-1, status, WNOHANG);
  if (pid === -1) {
    try {
      check(pid, 'waitpid', { pid: -1, options: 'WNOHANG' });
    } catch (error) {
      if ((error as { code?: string }).code === 'ECHILD') return null;
      throw error;
    }
  }
  if (pid === 0) return null;
  return decodeWaitStatus(pid, status[0] ?? 0);
}

/** Decodes a waitpid status word as WIFEXITED/WEXITSTATUS and WIFSIGNALED/WTERMSIG do. */
export function decodeWaitStatus(pid: number, status: number): ChildExit {
  const signal = status & 0x7f;
  if (signal === 0) return { pid, exitCode: (status >> 8) & 0xff };
  return { pid, signal, signalName: signalName(signal), coreDumped: (status & 0x80) !== 0 };
}

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([name, value]) => [value, name]));

/** `SIGTERM` for 15; `SIG<n>` for real-time signals Node does not name. */
export function signalName(signal: number): string {
  return signalNames.get(signal) ?? `SIG${signal}`;
}

/** Sends `signal` to a process (pid > 0), a process group (pid < -1) or everyone we may signal (-1). */
export function kill(pid: number, signal: number | NodeJS.Signals): void {
  checkInteger('kill', 'pid', pid, -0x7fff_ffff, 0x7fff_ffff);
  viaNode('kill', { pid, signal }, () => process.kill(pid, signal));
}
