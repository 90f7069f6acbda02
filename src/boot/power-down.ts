// The end of every road that does not hand off: stop what runs, flush and unmount, then power off, reboot or halt.
import { readFileSync } from 'node:fs';
import type { Sys } from '../sys/index';
import { MNT_DETACH } from '../sys/mount';
import { MS_RDONLY, MS_REMOUNT } from '../sys/mount';
import { mountsBelow, parseMountInfo } from '../probe/mountinfo';
import type { Logger } from './log';
import type { Children } from '../exec/children';

export type PowerAction = 'poweroff' | 'reboot' | 'halt';

/** Filesystems left mounted at the end: the kernel's own, and the root (remounted read-only instead). */
const keep = new Set(['/', '/proc', '/sys', '/dev', '/dev/pts', '/run']);

export interface PowerDownContext {
  sys: Sys;
  log: Logger;
  children: Children | undefined;
  /** PID 1 of the machine: reboot(2). Otherwise (a PID namespace, `bootstrap boot`) exit with `exitCode`. */
  machine: boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** Never returns normally: the machine goes down, or the process exits. */
export async function powerDown(context: PowerDownContext, action: PowerAction, exitCode = action === 'poweroff' ? 0 : 1): Promise<never> {
  const { sys, log } = context;
  const sleep = context.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  log.info(`${action}: stopping processes`);
  if (context.machine) {
    await endRemainingProcesses(sys, log, context.children, 2000, sleep);
    sys.sync();
    unmountAll(sys, log);
    sys.sync();
    log.info(`${action} now`);
    sys.reboot(action === 'reboot' ? 'restart' : action);
    // reboot(2) does not return for these commands; if it did, halting is all that is left.
    for (;;) await sleep(60_000);
  }
  context.children?.stop();
  log.info(`not the machine's init: exiting with status ${exitCode} instead of ${action}`);
  process.exit(exitCode);
}

// PID 1's children: what is left of the services, and every orphan re-parented to it.
function hasOtherProcesses(): boolean {
  try {
    const pids = readFileSync('/proc/self/task/1/children', 'utf8').trim();
    return pids !== '';
  } catch {
    return false;
  }
}

/** As PID 1: SIGTERM to every other process, up to `graceMs` for them to go, SIGKILL to the rest, then reap. */
export async function endRemainingProcesses(
  sys: Sys,
  log: Logger,
  children: Children | undefined,
  graceMs: number,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  try {
    // Reaps what ends while waiting up to `limitMs` for every other process to be gone.
    const waitForOthers = async (limitMs: number, stepMs: number): Promise<void> => {
      for (let waited = 0; waited < limitMs && hasOtherProcesses(); waited += stepMs) {
        children?.reapNow();
        await sleep(stepMs);
      }
    };
    if (hasOtherProcesses()) sys.kill(-1, 'SIGTERM');
    await waitForOthers(graceMs, 50);
    if (hasOtherProcesses()) sys.kill(-1, 'SIGKILL');
    await waitForOthers(1000, 20);
  } catch (error) {
    // ESRCH: nothing else runs.
    log.debug(`kill(-1): ${(error as Error).message}`);
  }
  children?.reapNow();
}

// Deepest first, lazily: a busy network filesystem must not hang the shutdown.
function unmountAll(sys: Sys, log: Logger): void {
  let mounts;
  try {
    mounts = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return;
  }
  const points = mountsBelow(mounts, '/').filter((point) => !keep.has(point));
  const unmounted: string[] = [];
  for (const point of points) {
    try {
      sys.umount({ target: point, flags: MNT_DETACH });
      unmounted.push(point);
    } catch (error) {
      log.warn(`cannot unmount ${point}: ${(error as Error).message}`);
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
