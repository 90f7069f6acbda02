// The one owner of every wait in PID 1: starts children and reaps every ended process, dispatching exits by pid.
import type { Logger } from '../log/log';
import type { ChildExit, SpawnSpec, Sys } from '../sys/index';

/** A started child: its pid, and its exit once reaped (never rejects). */
export interface ChildHandle {
  pid: number;
  exited: Promise<ChildExit>;
}

/** What the reaper has seen so far. */
export interface ChildrenStats {
  /** Processes reaped that we did not start: orphans re-parented to us (or to us as subreaper). */
  orphansReaped: number;
  /** Our own children reaped and handed to their handle. */
  childrenReaped: number;
}

/** Spawns through posix_spawn and reaps with one waitpid(-1) loop; see createChildren. */
export interface Children {
  spawn(spec: SpawnSpec): ChildHandle;
  /** Reaps every process that has ended, now. */
  reapNow(): void;
  /** Stops listening for SIGCHLD and sweeping; handles of children still running stay pending. */
  stop(): void;
  readonly stats: Readonly<ChildrenStats>;
  /** Children started and not yet reaped. */
  readonly running: number;
}

/** Tuning of the reaper; the defaults suit PID 1. */
export interface ChildrenOptions {
  /** Period of the sweep that catches exits whose SIGCHLD was coalesced or lost (default 1000 ms). */
  sweepMs?: number;
  /** Reaps per turn of the event loop before yielding, so an orphan storm cannot starve the boot (default 500). */
  batch?: number;
}

/**
 * Creates the reaper: on every SIGCHLD (and on a slow sweep) it calls waitpid(-1, WNOHANG) until no
 * ended process is left, resolving the handle of each child we spawned and counting the others as
 * orphans. Nothing else in PID 1 may wait for children: Node's child_process waits per pid, and a
 * waitpid(-1) here would steal its statuses (see DESIGN.md), so every child starts through `spawn`.
 */
export function createChildren(sys: Sys, log: Logger, options: ChildrenOptions = {}): Children {
  const sweepMs = options.sweepMs ?? 1000;
  const batch = options.batch ?? 500;
  const waiting = new Map<number, (exit: ChildExit) => void>();
  const stats: ChildrenStats = { orphansReaped: 0, childrenReaped: 0 };
  let more: NodeJS.Immediate | undefined;
  let stopped = false;

  const settle = (exit: ChildExit): void => {
    const resolve = waiting.get(exit.pid);
    if (resolve === undefined) {
      stats.orphansReaped++;
      return;
    }
    waiting.delete(exit.pid);
    stats.childrenReaped++;
    if (waiting.size === 0) sweep.unref();
    resolve(exit);
  };

  const reapNow = (): void => {
    for (let reaped = 0; reaped < batch; reaped++) {
      let exit: ChildExit | null;
      try {
        exit = sys.waitAny();
      } catch (error) {
        // Never expected (WNOHANG does not block, ECHILD is "none"): say so and let the sweep retry.
        log.error(`reaping children: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (exit === null) return;
      settle(exit);
    }
    // A full batch: more may be waiting. Continue after other callbacks had their turn.
    if (!stopped) more ??= setImmediate(() => {
      more = undefined;
      reapNow();
    });
  };

  // SIGCHLDs coalesce and one arriving before the listener is lost, hence the loop and the sweep.
  const onSignal = (): void => reapNow();
  process.on('SIGCHLD', onSignal);
  // The sweep keeps the event loop alive only while a child of ours runs, so an awaited exit always comes.
  const sweep = setInterval(reapNow, sweepMs).unref();

  return {
    spawn(spec) {
      if (stopped) throw new Error('children: spawn after stop');
      const pid = sys.posixSpawn(spec);
      // Registered before any reap can run: JavaScript is single-threaded and waitAny is only
      // called from here, so this pid cannot have been reaped yet. Keeping unknown exits for later
      // would be wrong, not safer: a reaped orphan's pid is free and may be the one just returned.
      const exited = new Promise<ChildExit>((resolve) => waiting.set(pid, resolve));
      sweep.ref();
      reapNow();
      return { pid, exited };
    },
    reapNow,
    stop() {
      stopped = true;
      process.off('SIGCHLD', onSignal);
      clearInterval(sweep);
      if (more !== undefined) clearImmediate(more);
      more = undefined;
    },
    stats,
    get running() {
      return waiting.size;
    },
  };
}
