// Runs a program in new namespaces (lcboot's re-unshare, a subhost's isolation) from this multi-threaded process.
//
// Why not unshare(2) here: Node runs several threads, and the kernel refuses CLONE_NEWUSER to a multi-threaded
// process (EINVAL) while CLONE_NEWNS, NEWUTS, NEWIPC, NEWNET and NEWCGROUP move only the calling thread (measured on
// 6.18 with Node 24: 1 of 7 threads changed namespace). So util-linux unshare(1), a single-threaded process, creates
// them and execs the program; this process writes the id maps from outside.
//
// Contract of spawnInNamespaces(spec):
//  - `spec.argv[0]` is an absolute path, run by unshare(1) in new namespaces of `spec.namespaces`, with `spec.env`,
//    `spec.stdio` and `spec.cwd`. It gets the handshake pipes as fds 3 and 4 (handshake.ts) and must take the
//    program's side: announceStarted() at once, then awaitRelease() before anything that depends on its ids, then
//    (with `user`) becomeNamespaceRoot(). bootstrap's `__boot-in-namespaces` verb does this.
//  - With `user`, `spec.idMap` is required (and refused without it): every range is written to /proc/PID/uid_map
//    and gid_map by this process, which needs CAP_SETUID/CAP_SETGID over the outside ids (root does); setgroups is
//    denied first only when this process lacks CAP_SETGID.
//  - With `pid`, unshare forks and the program is PID 1 of the new PID namespace; `initPid` is its pid here.
//  - `persist.net` binds the new network namespace to that existing file (unshare --net=FILE), as `ip netns` does.
//  - Resolves once the program runs released in its namespaces. The child was started through `spec.spawn` (the
//    runtime's reaper), so `exited` is unshare's end, which is the program's (its status, or with `pid` its status
//    or 128+signal, as unshare forwards it). Signals for the program go to `initPid`: unshare(1) with --fork blocks
//    SIGINT and SIGTERM and never forwards them (measured, util-linux 2.38).
//  - Rejects, having killed what it started, when unshare(1) is missing (NamespaceError saying so), ends before the
//    program announces itself, the program does not announce itself within `timeoutMs`, or a map write is refused
//    (SysError naming the file and errno). Every wait is bounded by `timeoutMs`.
import { readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NamespaceName } from '../config/generated/config-types';
import { idMapText } from '../config/id-map-text';
import type { ChildHandle } from '../exec/children';
import type { ChildExit, SpawnSpec, Sys } from '../sys/index';
import { viaNode } from '../sys/node-error';
import { findUnshare, NamespaceError } from './find-unshare';
import { HANDSHAKE_TIMEOUT_MS, readOneByte } from './handshake';
import { unshareArgv } from './unshare-argv';
import { writeIdMaps, type IdMaps, type WrittenIdMaps } from './write-id-maps';

/** How long an unshare(1) that closed the handshake gets to end, so that its status can be told. */
const EXIT_GRACE_MS = 2000;

/** What to run in which new namespaces. */
export interface NamespaceSpawn {
  namespaces: readonly NamespaceName[];
  /** The uid and gid ranges of a new user namespace: required with `user`, refused without it. */
  idMap?: IdMaps;
  /** The program (absolute path) and its arguments; it takes the program's side of the handshake. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  stdio?: SpawnSpec['stdio'];
  cwd?: string;
  persist?: { net?: string };
  /** Starts unshare(1) and reports its exit: the runtime's reaper (Children.spawn), which owns every wait. */
  spawn: (spec: SpawnSpec) => ChildHandle;
  sys: Pick<Sys, 'pipe' | 'close' | 'kill'>;
  /** unshare(1)'s path; found by findUnshare when absent. */
  unshare?: string;
  /** Bound of each wait for the other side (default HANDSHAKE_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** The program running in its namespaces. */
export interface NamespacedChild {
  /** unshare(1)'s pid, the child this process reaps: the program itself without `pid`, its parent with `pid`. */
  pid: number;
  /** The program's pid as this process sees it (PID 1 inside with `pid`): where signals for it go. */
  initPid: number;
  /** unshare(1)'s end, which mirrors the program's. */
  exited: Promise<ChildExit>;
  /** The unshare(1) command line that created the namespaces. */
  argv: readonly string[];
  /** The maps written, with `user`. */
  idMaps: WrittenIdMaps | undefined;
}

/** Creates the namespaces, runs the program in them and releases it once its ids are mapped. See the contract above. */
export async function spawnInNamespaces(spec: NamespaceSpawn): Promise<NamespacedChild> {
  const timeoutMs = spec.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const user = spec.namespaces.includes('user');
  if (user !== (spec.idMap !== undefined)) {
    throw new NamespaceError(user ? 'namespaces: a new user namespace needs idMap (its uid and gid ranges)' : 'namespaces: idMap is given but `user` is not among the namespaces to create');
  }
  if (spec.idMap) checkMaps(spec.idMap);
  const unshare = spec.unshare ?? findUnshare();
  const argv = unshareArgv({ unshare, namespaces: spec.namespaces, argv: spec.argv, ...(spec.persist ? { persist: spec.persist } : {}) });
  const { sys } = spec;
  const started = sys.pipe();
  const release = sys.pipe();
  let child: ChildHandle;
  try {
    child = spec.spawn({ path: unshare, argv, env: spec.env, passFds: [started.writeFd, release.readFd], ...(spec.stdio ? { stdio: spec.stdio } : {}), ...(spec.cwd ? { cwd: spec.cwd } : {}) });
  } catch (error) {
    for (const fd of [started.readFd, started.writeFd, release.readFd, release.writeFd]) sys.close(fd);
    throw error;
  }
  // Only the child holds these ends now: end of file on them is news that it ended.
  sys.close(started.writeFd);
  sys.close(release.readFd);
  // The program must not go on in half-made namespaces: end of file on its release pipe, and SIGKILL.
  const abandon = (): void => {
    sys.close(release.writeFd);
    killTree(sys, child.pid);
  };
  const announced = await readOneByte(started.readFd, timeoutMs, child.exited);
  if (announced !== 'byte') {
    if (announced === 'timeout') {
      abandon();
      throw new NamespaceError(`namespaces: the program did not start in the new namespaces within ${timeoutMs}ms (${argv.join(' ')})`);
    }
    // End of file: unshare(1) failed and is ending; its status says more than the pipe.
    const exit = await Promise.race([child.exited, sleep(EXIT_GRACE_MS).then(() => undefined)]);
    abandon();
    throw new NamespaceError(
      `namespaces: ${unshare} ${exit ? `ended (${describeExit(exit)})` : 'closed the handshake pipe'} before the program started in the new namespaces; its own message is above. ` +
        "It must be util-linux unshare(1) (busybox's has no --keep-caps), and the kernel must allow these namespaces here",
    );
  }
  const initPid = spec.namespaces.includes('pid') ? onlyChildOf(child.pid) : child.pid;
  if (initPid === undefined) {
    abandon();
    throw new NamespaceError(`namespaces: cannot find the program ${unshare} (pid ${child.pid}) forked, in /proc/${child.pid}/task/${child.pid}/children`);
  }
  let idMaps: WrittenIdMaps | undefined;
  try {
    if (spec.idMap) idMaps = writeIdMaps(initPid, spec.idMap);
  } catch (error) {
    // A SysError naming the map file, the call and errno.
    abandon();
    throw error;
  }
  try {
    // EPIPE when the program ended meanwhile (Node ignores SIGPIPE).
    viaNode('write', { fd: release.writeFd, pipe: 'release' }, () => writeSync(release.writeFd, 'r'));
  } catch (error) {
    abandon();
    throw error;
  }
  sys.close(release.writeFd);
  return { pid: child.pid, initPid, exited: child.exited, argv, idMaps };
}

// Map texts the kernel would refuse fail before anything starts.
function checkMaps(maps: IdMaps): void {
  try {
    idMapText(maps.users, 'uid_map');
    idMapText(maps.groups, 'gid_map');
  } catch (error) {
    throw new NamespaceError(`namespaces: idMap: ${(error as Error).message}`, { cause: error });
  }
}

// unshare --fork has exactly one child, the program.
function onlyChildOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.length === 1 ? children[0] : undefined;
  } catch {
    return undefined;
  }
}

// unshare and the program it forked: with `pid` the program is not killed with unshare.
function killTree(sys: Pick<Sys, 'kill'>, pid: number): void {
  for (const target of [onlyChildOf(pid), pid]) {
    if (target === undefined) continue;
    try {
      sys.kill(target, 'SIGKILL');
    } catch {
      // ESRCH: it has ended already.
    }
  }
}

/** `status 1` or `killed by SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return 'exitCode' in exit ? `status ${exit.exitCode}` : `killed by ${exit.signalName}`;
}
