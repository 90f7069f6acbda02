// A subhost's state on the host: /run/bootstrap/subhosts/NAME/state.json, written before every change it
// records, so that `stop` can undo a start that was cut short as well as one that finished.
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Config } from '../config/generated/config-types';
import { readOptional } from '../probe/read-optional';
import { SubhostError } from './subhost-error';
import { CONSOLE_LOG, SUBHOSTS_STATE, type SubhostSpec } from './subhost-spec';

/** The host process that is the subhost's PID 1, told apart from a later process with the same pid by its start time. */
export interface Pid1Identity {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot when the process started. */
  startTime: string;
}

/** What a start did, in order, so each can be undone in reverse. */
export type HostChange =
  | { kind: 'mount'; target: string }
  | { kind: 'directory'; path: string }
  | { kind: 'netns'; path: string }
  /** A host interface a cable added (a veth pair's host end, whose deletion takes the subhost end too; a VLAN). */
  | { kind: 'link'; name: string }
  /** `ifup NAME` succeeded: undone by `ifdown NAME`, so ifupdown does not keep a deleted interface configured. */
  | { kind: 'ifup'; name: string };

export interface SubhostState {
  version: 1;
  spec: SubhostSpec;
  /** The config PID 1 runs (validated), passed to it through this file. */
  config: Config;
  changes: HostChange[];
  pid1: Pid1Identity | undefined;
  /** The host pid of the unshare(1) process whose child PID 1 is. */
  launcher: number | undefined;
}

/** What `list` and `status` call a subhost's condition. */
export type SubhostCondition = 'running' | 'hibernating' | 'stopped';

export const stateFile = (name: string): string => `${SUBHOSTS_STATE}/${name}/state.json`;

/** The state of subhost `name`, or undefined when it has none (stopped). Throws when the file is unreadable or damaged. */
export function readState(name: string): SubhostState | undefined {
  const path = stateFile(name);
  if (!existsSync(path)) return undefined;
  const text = readOptional(path);
  if (text === undefined) throw new Error(`${path}: cannot be read`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: damaged state (${(error as Error).message}); remove the subhost's mounts by hand and delete ${SUBHOSTS_STATE}/${name}`);
  }
  if (!isState(parsed)) throw new Error(`${path}: not a state file of this version of bootstrap`);
  return parsed;
}

function isState(value: unknown): value is SubhostState {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.version === 1 && typeof record.spec === 'object' && Array.isArray(record.changes);
}

/** Writes the state atomically (a crash leaves the old or the new file, never half of one). */
export function writeState(state: SubhostState): void {
  const directory = `${SUBHOSTS_STATE}/${state.spec.name}`;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = stateFile(state.spec.name);
  writeFileSync(`${path}.new`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

/**
 * Takes the subhost's lock (a file holding our pid) for a start or a stop, so that two of them never work on one
 * subhost at once; a lock whose process is gone is stale and taken over. Returns the release.
 */
export function lockSubhost(name: string): () => void {
  const directory = `${SUBHOSTS_STATE}/${name}`;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = `${directory}/lock`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        rmSync(path, { force: true });
        // A refused start leaves nothing behind, not even an empty directory.
        if (readdirSync(directory).length === 0) rmdirSync(directory);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((readOptional(path) ?? '').trim());
    if (Number.isInteger(holder) && holder > 0 && processStartTime(holder) !== undefined) {
      throw new SubhostError(`another start or stop of subhost ${name} is under way (pid ${holder}); wait for it, or remove ${path} if that process is not bootstrap`);
    }
    rmSync(path, { force: true });
  }
  throw new SubhostError(`cannot take the lock ${path}: it keeps coming back`);
}

/** Removes the state once everything it recorded was undone; PID 1's log stays for the administrator. */
export function removeState(name: string): void {
  const directory = `${SUBHOSTS_STATE}/${name}`;
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory)) {
    if (entry !== CONSOLE_LOG && entry !== 'lock') rmSync(`${directory}/${entry}`, { recursive: true, force: true });
  }
}

/** The names of every subhost with state (running or hibernating), sorted. */
export function stateNames(): string[] {
  if (!existsSync(SUBHOSTS_STATE)) return [];
  return readdirSync(SUBHOSTS_STATE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(stateFile(entry.name)))
    .map((entry) => entry.name)
    .sort();
}

/** Field 22 (starttime) of /proc/PID/stat, or undefined when the process is gone. */
export function processStartTime(pid: number): string | undefined {
  return processStat(pid)?.[19];
}

/** The fields of /proc/PID/stat after the command name (field 3, the state, first), or undefined when it is gone. */
function processStat(pid: number): string[] | undefined {
  const stat = readOptional(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether `identity` is still the same live process (not a zombie, not a reused pid). */
export function isAlive(identity: Pid1Identity | undefined): boolean {
  if (identity === undefined) return false;
  // One read: the start time tells a reused pid, the state a zombie.
  const fields = processStat(identity.pid);
  return fields !== undefined && fields[19] === identity.startTime && fields[0] !== 'Z';
}

/** running: PID 1 lives; hibernating: its processes are gone but mounts and network namespace stay; stopped: no state. */
export function conditionOf(state: SubhostState | undefined): SubhostCondition {
  if (state === undefined) return 'stopped';
  return isAlive(state.pid1) ? 'running' : 'hibernating';
}
