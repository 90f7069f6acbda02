// `subhost stop`: PID 1's orderly shutdown (SIGTERM: services, then every process, through the runtime's one
// shutdown sequence), SIGKILL of the PID namespace when it does not end in time, then everything `start`
// recorded undone on the host: mounts, the network namespace, directories it made, the state.
import type { Logger } from '../log/log';
import type { Sys } from '../sys/index';
import { undoChanges } from './host-setup';
import { SubhostError } from './subhost-error';
import { isAlive, lockSubhost, readState, removeState, type Pid1Identity } from './subhost-state';
import { nowMs } from '../clock';

/** After SIGKILL the kernel ends the namespace's processes at once; this bounds the wait for it. */
export const KILL_WAIT_MS = 5000;

export interface StopResult {
  /** How PID 1 ended: it was not running (hibernating), it ended after SIGTERM, or it was killed. */
  ended: 'not-running' | 'terminated' | 'killed';
  elapsedMs: number;
  undone: number;
}

export async function stopSubhost(name: string, deps: { sys: Sys; log: Logger }): Promise<StopResult> {
  if (!readState(name)) throw new SubhostError(`no subhost ${name} is running or hibernating`);
  const unlock = lockSubhost(name);
  try {
    return await stopLocked(name, deps);
  } finally {
    unlock();
  }
}

async function stopLocked(name: string, deps: { sys: Sys; log: Logger }): Promise<StopResult> {
  const { sys, log } = deps;
  const state = readState(name);
  if (!state) throw new SubhostError(`no subhost ${name} is running or hibernating`);
  const started = nowMs();
  let ended: StopResult['ended'] = 'not-running';
  if (isAlive(state.pid1)) {
    const pid1 = state.pid1!;
    log.info(`subhost ${name}: SIGTERM to PID 1 (host pid ${pid1.pid}), waiting up to ${state.spec.stopTimeoutMs} ms`);
    signal(sys, pid1, 'SIGTERM');
    ended = 'terminated';
    if (!(await gone(pid1, state.spec.stopTimeoutMs))) {
      log.warn(`subhost ${name}: PID 1 did not end within ${state.spec.stopTimeoutMs} ms; SIGKILL ends every process of its PID namespace`);
      signal(sys, pid1, 'SIGKILL');
      ended = 'killed';
      if (!(await gone(pid1, KILL_WAIT_MS))) throw new SubhostError(`subhost ${name}: PID 1 (host pid ${pid1.pid}) is still there ${KILL_WAIT_MS} ms after SIGKILL (stuck in the kernel?); nothing was unmounted`);
    }
  }
  const failures = undoChanges(state.changes, state.spec, { sys, log });
  if (failures.length > 0) throw new SubhostError(`subhost ${name}: PID 1 ended, but some of its changes could not be undone:\n${failures.map((failure) => `  ${failure}`).join('\n')}\n  its state is kept; run stop again once the cause is gone`);
  removeState(name);
  return { ended, elapsedMs: nowMs() - started, undone: state.changes.length };
}

function signal(sys: Sys, pid1: Pid1Identity, name: 'SIGTERM' | 'SIGKILL'): void {
  try {
    sys.kill(pid1.pid, name);
  } catch {
    // It ended in the meantime.
  }
}

async function gone(pid1: Pid1Identity, timeoutMs: number): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  while (isAlive(pid1)) {
    if (nowMs() > deadline) return false;
    await new Promise((done) => setTimeout(done, 25));
  }
  return true;
}
