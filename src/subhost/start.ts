// `subhost start`: refuse before changing anything, then (recording each change) the premount hooks, the root
// at LIVE, the postmount hooks, PID 1 in new namespaces, and (before PID 1 goes on) the cables into its network
// namespace; returns once PID 1 reached its handoff. A start that fails half-way undoes what it did, newest first.
// A hibernating subhost resumes on its mounts, network namespace and cables.
import { spawn } from 'node:child_process';
import { isatty } from 'node:tty';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { idMapRanges } from '../config/id-map';
import { writeIdMaps } from '../namespaces/write-id-maps';
import type * as SeaModule from 'node:sea';
import type { Config } from '../config/generated/config-types';
import { isExecutable } from '../sys/executable';
import type { Logger } from '../log/log';
import { mountedAt, readMountInfo } from '../probe/mountinfo';
import { readOptional } from '../probe/read-optional';
import { makeDirectories } from '../sys/fs';
import type { Sys } from '../sys/index';
import { runHostHooks } from './host-hooks';
import { SubhostError } from './subhost-error';
import { setUpRoot, undoChanges } from './host-setup';
import { launchArgv } from './namespace-command';
import { preflight } from './preflight';
import { conditionOf, lockSubhost, processStartTime, readState, removeState, writeState, type HostChange, type Pid1Identity, type SubhostState } from './subhost-state';
import { setUpCables } from './cables';
import { cableStatuses } from './cable-status';
import { hostIfupdown } from './ifupdown';
import { NETNS_DIRECTORY, RELEASE_TIMEOUT_MS, type SubhostSpec } from './subhost-spec';

/** How long `start` waits for PID 1 to reach its handoff (its postSwitch steps and hooks run before). */
export const START_TIMEOUT_MS = RELEASE_TIMEOUT_MS;
/** The internal verb PID 1 runs. */
export const SUBHOST_INIT = '__subhost-init';

export interface StartDeps {
  sys: Sys;
  log: Logger;
}

export interface StartResult {
  resumed: boolean;
  pid1: Pid1Identity;
  /**
   * With a shell handoff the shell is on this terminal (the subhost scripts' `control start`): resolves when
   * PID 1 ended (the subhost then hibernates). Undefined for a subhost that runs in the background.
   */
  foreground: Promise<void> | undefined;
}


/** Starts (or resumes) the subhost `spec` runs with `config`. */
export async function startSubhost(spec: SubhostSpec, config: Config, deps: StartDeps): Promise<StartResult> {
  const unlock = lockSubhost(spec.name);
  try {
    return await startLocked(spec, config, deps);
  } finally {
    unlock();
  }
}

async function startLocked(spec: SubhostSpec, config: Config, deps: StartDeps): Promise<StartResult> {
  const { log } = deps;
  const tools = { unshare: findTool('unshare'), nsenter: findTool('nsenter'), executable: bootstrapExecutable() };
  if (config.postSwitch.handoff.mode === 'shell' && !isatty(0)) {
    throw new SubhostError(`subhost ${spec.name} has a shell handoff, which runs on the terminal start is run from; standard input is not a terminal (use handoff none and 'bootstrap subhost enter ${spec.name}' instead)`);
  }
  const previous = readState(spec.name);
  const condition = conditionOf(previous);
  if (previous && condition === 'running') throw new SubhostError(`subhost ${spec.name} is already running (PID 1 is host pid ${previous.pid1?.pid}); stop it first`);
  if (previous) return resume(previous, spec, config, tools, deps);

  const problems = preflight(spec, { mounts: readMountInfo(), exists: existsSync, links: () => deps.sys.listLinks() });
  if (problems.length > 0) throw new SubhostError(`subhost ${spec.name} not started, nothing was changed:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  const state: SubhostState = { version: 1, spec, config, changes: [], pid1: undefined, launcher: undefined };
  writeState(state);
  const record = (change: SubhostState['changes'][number]): void => {
    state.changes.push(change);
    writeState(state);
  };
  try {
    runHostHooks(spec.premount, 'premount', spec, log);
    setUpRoot(spec, { sys: deps.sys, log, record });
    runHostHooks(spec.postmount, 'postmount', spec, log);
    if (spec.netns !== undefined) {
      makeDirectories(NETNS_DIRECTORY);
      // unshare(1) binds the new namespace onto this file (as `ip netns add` does); it must exist first.
      closeSync(openSync(spec.netns, 'wx', 0o444));
      record({ kind: 'netns', path: spec.netns });
    }
    const { pid1, foreground } = await launch(state, tools, false, deps);
    return { resumed: false, pid1, foreground };
  } catch (error) {
    log.error(`starting subhost ${spec.name} failed: ${(error as Error).message}; undoing what was done`);
    killPid1(state, deps.sys);
    const failures = undoChanges(state.changes, spec, deps);
    if (failures.length === 0) removeState(spec.name);
    const left = failures.length === 0 ? 'everything it did was undone' : `could not undo: ${failures.join('; ')} (state kept in ${spec.stateDirectory}; 'bootstrap subhost stop ${spec.name}' tries again)`;
    throw new SubhostError(`subhost ${spec.name} not started: ${(error as Error).message}\n  ${left}`);
  }
}

interface Tools {
  unshare: string;
  nsenter: string;
  executable: string;
}

async function resume(state: SubhostState, spec: SubhostSpec, config: Config, tools: Tools, deps: StartDeps): Promise<StartResult> {
  const { log } = deps;
  for (const key of ['live', 'upper', 'work', 'lower', 'setup', 'image', 'ramSize', 'cables'] as const) {
    if (JSON.stringify(state.spec[key]) !== JSON.stringify(spec[key])) {
      throw new SubhostError(`subhost ${spec.name} hibernates on a root and cables its config no longer describes (${key} changed); stop it first ('bootstrap subhost stop ${spec.name}')`);
    }
  }
  const mounts = readMountInfo();
  const missing = state.changes.filter((change) => change.kind === 'mount' && mountedAt(mounts, change.target) === undefined).map((change) => (change.kind === 'mount' ? change.target : ''));
  if (missing.length > 0) throw new SubhostError(`subhost ${spec.name} hibernates, but ${missing.join(', ')} is no longer mounted; stop it ('bootstrap subhost stop ${spec.name}') and start it again`);
  if (spec.netns !== undefined && !existsSync(spec.netns)) throw new SubhostError(`subhost ${spec.name} hibernates, but its network namespace ${spec.netns} is gone; stop it and start it again`);
  const cut = cableStatuses(spec.cables).filter((cable) => cable.hostState === 'missing');
  if (cut.length > 0) throw new SubhostError(`subhost ${spec.name} hibernates, but the host end of its cable${cut.length > 1 ? 's' : ''} ${cut.map((cable) => `${cable.cable} (${cable.host})`).join(', ')} is gone; stop it and start it again`);
  log.info(`subhost ${spec.name} hibernates: resuming on its mounts${spec.netns ? ' and network namespace' : ''}${spec.cables.length > 0 ? ' with its cables' : ''}`);
  // The services may have changed while it slept; the root may not (checked above).
  const resumed: SubhostState = { ...state, spec: { ...spec }, config, pid1: undefined, launcher: undefined };
  writeState(resumed);
  try {
    const { pid1, foreground } = await launch(resumed, tools, true, deps);
    return { resumed: true, pid1, foreground };
  } catch (error) {
    killPid1(resumed, deps.sys);
    throw new SubhostError(`subhost ${spec.name} not resumed: ${(error as Error).message}\n  its mounts and network namespace are kept (hibernating)`);
  }
}

/** Starts PID 1 through unshare(1) and waits until it says it reached the handoff, or fails, or the time is up. */
async function launch(state: SubhostState, tools: Tools, resume: boolean, deps: StartDeps): Promise<{ pid1: Pid1Identity; foreground: Promise<void> | undefined }> {
  const { spec } = state;
  const mapped = spec.namespaces.includes('user');
  // PID 1 waits on fd 4 until its host side is made: the id maps of its user namespace, the cables into its network
  // namespace (on a first start: they stay while it hibernates).
  const cables = !resume && spec.cables.length > 0;
  const held = mapped || cables;
  const argv = launchArgv({
    unshare: tools.unshare,
    nsenter: tools.nsenter,
    namespaces: spec.namespaces,
    netns: spec.netns,
    resume,
    argv: [tools.executable, SUBHOST_INIT, spec.name, '--ready-fd', '3', ...(held ? ['--release-fd', '4'] : [])],
  });
  deps.log.info(`starting PID 1: ${argv.join(' ')}`);
  makeDirectories(spec.stateDirectory);
  const foreground = state.config.postSwitch.handoff.mode === 'shell';
  const output = foreground ? 'inherit' : openSync(spec.log, 'a', 0o600);
  // In the foreground PID 1 and its shell share this terminal and process group; otherwise a session of their own.
  // fd 3: PID 1 says "ready" on it; fd 4 (when held): `start` releases PID 1 on it once its host side is made.
  const child = spawn(argv[0]!, argv.slice(1), { detached: !foreground, stdio: [foreground ? 'inherit' : 'ignore', output, output, 'pipe', ...(held ? ['pipe' as const] : [])], env: subhostEnvironment() });
  if (typeof output === 'number') closeSync(output);
  const ended = new Promise<void>((done) => child.on('exit', () => done()));
  const launcher = child.pid;
  if (launcher === undefined) throw new Error(`cannot run ${argv[0]!}`);
  state.launcher = launcher;
  writeState(state);
  const readyStream = child.stdio[3] as Readable;
  let said = '';
  readyStream.on('data', (chunk: Buffer) => {
    said += chunk.toString('utf8');
  });
  readyStream.on('error', () => undefined);
  let exited: number | null | undefined;
  child.on('exit', (code, signal) => {
    exited = code ?? (signal ? 128 : 1);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (state.pid1 === undefined) {
        const pid = pid1ChildOf(launcher);
        const startTime = pid === undefined ? undefined : processStartTime(pid);
        if (pid !== undefined && startTime !== undefined) {
          state.pid1 = { pid, startTime };
          writeState(state);
          if (held) release(pid, state, { maps: mapped, cables }, child.stdio[4] as Writable, deps);
        }
      }
      if (said.includes('ready\n')) break;
      if (exited !== undefined) throw new Error(`PID 1 ended before its handoff (status ${exited}); its output is in ${spec.log}:\n${tail(spec.log)}`);
      if (Date.now() > deadline) throw new Error(`PID 1 did not reach its handoff within ${START_TIMEOUT_MS / 1000} s; its output is in ${spec.log}:\n${tail(spec.log)}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  } finally {
    readyStream.destroy();
    if (!foreground) child.unref();
  }
  if (state.pid1 === undefined) throw new Error(`PID 1 said it was ready, but its host pid could not be found under ${launcher}`);
  return { pid1: state.pid1, foreground: foreground ? ended : undefined };
}

/**
 * The child of `pid` that is PID 1 of a new PID namespace (its NSpid ends in 1). unshare(1) may have another
 * child for a while: with --net=FILE it forks a helper that binds the namespace to FILE.
 */
function pid1ChildOf(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  } catch {
    return undefined;
  }
  for (const child of text === '' ? [] : text.split(' ').map(Number)) {
    const status = readOptional(`/proc/${child}/status`) ?? '';
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
    if (nspid !== undefined && nspid.length > 1 && nspid.at(-1) === '1') return child;
  }
  return undefined;
}

/**
 * Makes PID 1's host side, then lets it go on: the user namespace's id maps (written from outside, where root may
 * map any ids), the cables (each recorded in the state as it is made).
 */
function release(pid: number, state: SubhostState, what: { maps: boolean; cables: boolean }, channel: Writable, deps: StartDeps): void {
  const { spec } = state;
  const { log } = deps;
  if (what.maps) {
    if (!spec.idMap) throw new Error('the user namespace has no idMap (validation requires one)');
    const written = writeIdMaps(pid, { users: idMapRanges(spec.idMap.users), groups: idMapRanges(spec.idMap.groups) });
    log.info(`user namespace: uid_map ${written.uidMap.trim().replaceAll('\n', ', ')}; gid_map ${written.gidMap.trim().replaceAll('\n', ', ')}`);
  }
  if (what.cables) {
    if (spec.netns === undefined) throw new Error('cables need the network namespace (validation requires net)');
    const record = (change: HostChange): void => {
      state.changes.push(change);
      writeState(state);
    };
    // By PID 1's pid, not by /run/netns/NAME: unshare(1) binds that file from a helper process, which may not have
    // done so yet when PID 1 appears (the file was then still the empty one start made: EINVAL).
    setUpCables(spec.cables, { pid }, { sys: deps.sys, log, record, ifup: hostIfupdown('ifup') });
  }
  channel.end('1');
}

/** The last lines of a log file, bounded, for a failure message. */
function tail(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-8192).split('\n').slice(-lines - 1).map((line) => `    ${line}`).join('\n').trimEnd();
  } catch {
    return '    (cannot read it)';
  }
}

/** Kills a PID 1 a failed start left (SIGKILL to PID 1 ends its whole PID namespace). */
export function killPid1(state: SubhostState, sys: Sys): void {
  const pid1 = state.pid1;
  if (pid1 === undefined || processStartTime(pid1.pid) !== pid1.startTime) return;
  try {
    sys.kill(pid1.pid, 'SIGKILL');
  } catch {
    // Gone in the meantime.
  }
}

/** A clean environment for the subhost: the host's variables are not the subhost's. */
function subhostEnvironment(): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: process.env.TERM ?? 'linux', HOME: '/root', LANG: 'C.UTF-8' };
}

/** A util-linux program, where Debian and others put it. */
export function findTool(name: 'unshare' | 'nsenter'): string {
  for (const directory of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', ...(process.env.PATH ?? '').split(':').filter((entry) => entry.startsWith('/'))]) {
    const path = `${directory}/${name}`;
    if (isExecutable(path)) return path;
  }
  throw new SubhostError(`no ${name}(1): subhosts need util-linux's unshare and nsenter (Debian: apt-get install util-linux), because namespaces must be created by a single-threaded process`);
}

/** This executable, which PID 1 runs as; a development run under Node cannot be PID 1 of a subhost. */
function bootstrapExecutable(): string {
  const sea = process.getBuiltinModule('node:sea') as typeof SeaModule | undefined;
  if (!sea?.isSea()) throw new SubhostError('subhost start needs the built executable (dist/bootstrap), not a development run under Node');
  return process.execPath;
}
