// A fake reaper and Sys for supervisor tests: children "run" until a test or a kill ends them, on vitest's fake clock.
import type { ChildHandle, Children } from '../../src/exec/children';
import type { ChildExit, SpawnSpec, Sys } from '../../src/sys/index';
import { constants } from 'node:os';

/** A spawned fake process. */
export interface FakeProcess {
  pid: number;
  spec: SpawnSpec;
  /** argv[0] of what was spawned. */
  program: string;
  at: number;
  ended: boolean;
}

/** What a fake process does when spawned or signalled. */
export interface Behaviour {
  /** Exit this long after spawn (ms), with this status or signal. */
  exitAfter?: { ms: number; code?: number; signal?: NodeJS.Signals };
  /** On these signals (default every one but 0), end killed by it after `ms` (default 0). */
  dies?: { on?: NodeJS.Signals[]; ms?: number };
  /** Not even SIGKILL ends it (a process in uninterruptible sleep on a dead network share). */
  unkillable?: boolean;
}

/** The fake world: spawns, kills and a way to end a process. */
export interface FakeWorld {
  children: Children;
  sys: Sys;
  spawned: FakeProcess[];
  /** Spawns that failed (a program under /missing/), with when they were tried. */
  refused: { path: string; at: number }[];
  kills: { pid: number; signal: string; at: number }[];
  behaviours: Map<string, Behaviour>;
  exit(pid: number, how: { code?: number; signal?: NodeJS.Signals }): void;
  /** The fake processes of `program`, in spawn order. */
  of(program: string): FakeProcess[];
}

/** A new fake world with no process in it; pids start at 100. */
export function fakeWorld(): FakeWorld {
  const spawned: FakeProcess[] = [];
  const refused: FakeWorld['refused'] = [];
  const kills: FakeWorld['kills'] = [];
  const behaviours = new Map<string, Behaviour>();
  const pending = new Map<number, (exit: ChildExit) => void>();
  let nextPid = 100;
  const exit = (pid: number, how: { code?: number; signal?: NodeJS.Signals }): void => {
    const resolve = pending.get(pid);
    if (!resolve) return;
    pending.delete(pid);
    const process = spawned.find((candidate) => candidate.pid === pid);
    if (process) process.ended = true;
    if (how.signal) resolve({ pid, signal: constants.signals[how.signal], signalName: how.signal, coreDumped: false });
    else resolve({ pid, exitCode: how.code ?? 0 });
  };
  const children: Children = {
    spawn(spec): ChildHandle {
      if (spec.path.startsWith('/missing/')) {
        refused.push({ path: spec.path, at: Date.now() });
        throw new Error(`posix_spawn ${spec.path}: ENOENT`);
      }
      const pid = nextPid++;
      const program = spec.argv[0] ?? '';
      spawned.push({ pid, spec, program, at: Date.now(), ended: false });
      const exited = new Promise<ChildExit>((resolve) => pending.set(pid, resolve));
      const behaviour = behaviours.get(program);
      if (behaviour?.exitAfter) {
        const how = behaviour.exitAfter;
        if (how.ms === 0) queueMicrotask(() => exit(pid, how));
        else setTimeout(() => exit(pid, how), how.ms);
      }
      return { pid, exited };
    },
    reapNow: () => undefined,
    stop: () => undefined,
    stats: { orphansReaped: 0, childrenReaped: 0 },
    get running() {
      return pending.size;
    },
  };
  const implemented: Partial<Sys> = {
    kill(pid, signal) {
      const name = String(signal);
      kills.push({ pid, signal: name, at: Date.now() });
      const target = spawned.find((candidate) => candidate.pid === Math.abs(pid));
      if (!target || target.ended) return;
      const behaviour = behaviours.get(target.program);
      if (behaviour?.unkillable) return;
      const dies = behaviour?.dies ?? {};
      if (name === 'SIGKILL' || dies.on === undefined || dies.on.includes(name as NodeJS.Signals)) {
        const ms = name === 'SIGKILL' ? 0 : (dies.ms ?? 0);
        const die = (): void => exit(target.pid, { signal: name as NodeJS.Signals });
        // An immediate death needs no timer, so tests can await a stop without advancing the fake clock.
        if (ms === 0) queueMicrotask(die);
        else setTimeout(die, ms);
      }
    },
  };
  const sys = new Proxy(implemented, {
    get(target, name: string) {
      const value = target[name as keyof Sys];
      if (value === undefined) throw new Error(`fake Sys: ${name} not expected here`);
      return value;
    },
  }) as Sys;
  return { children, sys, spawned, refused, kills, behaviours, exit, of: (program) => spawned.filter((process) => process.program === program) };
}
