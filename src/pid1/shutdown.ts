// The one shutdown sequence of PID 1, in the order of systemd-shutdown and LinuxKit: services, TERM to the
// rest, grace, KILL, reap, sync, unmount deepest-last-mounted first (lazily), / read-only, then reboot(2)
// — or, not being the machine's init, an exit with a status.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Children } from '../exec/children';
import type { Logger } from '../log/log';
import { readMountInfo } from '../probe/mountinfo';
import type { Sys } from '../sys/index';
import { MNT_DETACH, MS_RDONLY, MS_REMOUNT } from '../sys/mount';
import type { Pid1Role } from './role';
import type { HandledSignal } from './signals';
import { nowMs } from '../clock';

export type PowerAction = 'poweroff' | 'reboot' | 'halt';

/** What a shutdown was asked for, and why. */
export interface ShutdownRequest {
  action: PowerAction;
  /** Said on the console first, e.g. "received SIGTERM" or "the main service ended". */
  reason: string;
  /** The exit status outside a machine; default: the services' status, else 0 for poweroff and 1 otherwise. */
  exitCode?: number;
  /** The signal that stops each service (a container's SIGINT reaches its services as SIGINT); default each service's stopSignal. */
  signal?: HandledSignal;
}

/** The services a supervisor runs: stopped first, in reverse dependency order. */
export interface ServiceStopper {
  stop(signal: HandledSignal | undefined): Promise<void>;
  /** The exit status the services decided (the main service's), if any. */
  exitStatus(): number | undefined;
}

/** Work PID 1 does beside its handoff (DHCP renewal), stopped before the services. */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void>;
}

/** How long a background task may take to stop before the shutdown goes on without it. */
const TASK_STOP_MS = 2000;

/** What the sequence works with. */
export interface ShutdownContext {
  sys: Sys;
  log: Logger;
  children: Children;
  role: Pid1Role;
  /** How long processes left after the services get between SIGTERM and SIGKILL. */
  timeoutMs: number;
  services: ServiceStopper | undefined;
  tasks?: readonly BackgroundTask[];
}

/** Filesystems left mounted at the end: the kernel's own, and the root (remounted read-only instead). */
const keep = new Set(['/', '/proc', '/sys', '/dev', '/dev/pts', '/run']);

/** Runs the sequence to its end. Never returns normally: the machine goes down, or the process exits. */
export async function runShutdown(context: ShutdownContext, request: ShutdownRequest): Promise<never> {
  const { sys, log, role } = context;
  const { action } = request;
  log.info(`shutting down (${action}): ${request.reason}`);
  let exitCode = request.exitCode;
  for (const task of context.tasks ?? []) {
    await stage(log, `stopping ${task.name}`, () => withinBound(task));
  }
  if (context.services) {
    log.info(`${action}: stopping services in reverse dependency order${request.signal ? ` with ${request.signal}` : ''}`);
    await stage(log, 'stopping services', () => context.services?.stop(request.signal));
    exitCode ??= context.services.exitStatus();
  }
  await stage(log, 'ending the remaining processes', () => endRemainingProcesses(context));
  await stage(log, 'sync', () => sys.sync());
  if (role === 'machine') {
    await stage(log, 'unmounting', () => unmountAll(sys, log));
    await stage(log, 'sync', () => sys.sync());
    log.info(`${action} now`);
    try {
      sys.reboot(action === 'reboot' ? 'restart' : action);
    } catch (error) {
      log.error(`reboot(2) for ${action}: ${(error as Error).message}`);
    }
    // reboot(2) does not return for these commands; if it failed, halting here is all that is left.
    for (;;) await sleep(60_000);
  }
  context.children.stop();
  const status = exitCode ?? (action === 'poweroff' ? 0 : 1);
  log.info(`not the machine's init: exiting with status ${status} instead of ${action}`);
  process.exit(status);
}

// A task that does not stop in time is left behind: the shutdown must go on (the process ends soon anyway).
async function withinBound(task: BackgroundTask): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), TASK_STOP_MS)));
  try {
    if ((await Promise.race([task.stop().then(() => 'stopped' as const), late])) === 'late') throw new Error(`did not stop within ${TASK_STOP_MS}ms`);
  } finally {
    clearTimeout(timer);
  }
}

// A stage that fails is said and passed: the machine must still go down.
async function stage(log: Logger, name: string, run: () => unknown): Promise<void> {
  try {
    await run();
  } catch (error) {
    log.error(`shutdown: ${name}: ${(error as Error).message}`);
  }
}

// The pids of this process's children (orphans re-parented to it included), from /proc; undefined without /proc.
function childPids(): number[] | undefined {
  try {
    const text = readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * SIGTERM to every other process, up to `timeoutMs` for them to go, SIGKILL to the rest, then reap. As PID 1
 * (machine or namespace) that is kill(-1): every process it can see. A subreaper must not do that (it would
 * reach the whole host): it signals its own children, which includes the orphans it adopted.
 */
async function endRemainingProcesses(context: ShutdownContext): Promise<void> {
  const { sys, log, children, role } = context;
  const remaining = (): boolean => (childPids()?.length ?? children.running) > 0;
  const signalAll = (signal: 'SIGTERM' | 'SIGKILL'): void => {
    const targets = role === 'subreaper' ? (childPids() ?? []) : [-1];
    for (const pid of targets) {
      try {
        sys.kill(pid, signal);
      } catch (error) {
        // ESRCH: it is gone already.
        log.debug(`kill(${pid}, ${signal}): ${(error as Error).message}`);
      }
    }
  };
  // Reaps what ends while waiting up to `limitMs` for every other process to be gone.
  const waitForOthers = async (limitMs: number, stepMs: number): Promise<void> => {
    const deadline = nowMs() + limitMs;
    for (;;) {
      children.reapNow();
      if (!remaining() || nowMs() >= deadline) return;
      await sleep(stepMs);
    }
  };
  if (!remaining()) return;
  log.info(`sending SIGTERM to the remaining processes (SIGKILL after ${context.timeoutMs}ms)`);
  signalAll('SIGTERM');
  await waitForOthers(context.timeoutMs, 50);
  if (remaining()) {
    log.warn(`processes left after ${context.timeoutMs}ms: ${(childPids() ?? []).join(' ')}; sending SIGKILL`);
    signalAll('SIGKILL');
    // SIGKILL cannot be caught: what is left after this is in uninterruptible sleep (a dead network share).
    await waitForOthers(2000, 20);
  }
  children.reapNow();
}

// The newest mount first (reverse mount order), lazily: a busy network filesystem must not hang the shutdown.
function unmountAll(sys: Sys, log: Logger): void {
  const points = readMountInfo()
    .map((entry) => entry.mountPoint)
    .filter((point) => !keep.has(point))
    .reverse();
  const unmounted: string[] = [];
  for (const point of points) {
    try {
      sys.umount({ target: point, flags: MNT_DETACH });
      unmounted.push(point);
    } catch (error) {
      // A mount below a lazily detached one went with it: EINVAL/ENOENT is no news.
      log.debug(`cannot unmount ${point}: ${(error as Error).message}`);
    }
  }
  let readOnly = true;
  try {
    sys.mount({ source: null, target: '/', fsType: null, flags: MS_REMOUNT | MS_RDONLY, data: null });
  } catch (error) {
    readOnly = false;
    log.warn(`cannot remount / read-only: ${(error as Error).message}`);
  }
  log.info(`unmounted ${unmounted.length ? unmounted.join(' ') : 'nothing'}${readOnly ? '; / is read-only' : ''}`);
}
