// When a service that ended starts again: the restart policy, the exponential backoff, and the start limit.
import type { ServiceSettings } from './service-settings';

/** Whether `policy` restarts a service that ended with `status` (0 is success; a signal is 128+n, a failure). */
export function shouldRestart(policy: ServiceSettings['restart'], status: number): boolean {
  if (policy === 'always') return true;
  if (policy === 'onFailure') return status !== 0;
  return false;
}

/** The delay before restart number `attempt` (0 for the first): initial × factor^attempt, capped at max. */
export function backoffDelay(backoff: ServiceSettings['backoff'], attempt: number): number {
  return Math.min(backoff.initialMs * backoff.factor ** attempt, backoff.maxMs);
}

/**
 * Admits one more start at `now` when fewer than `count` starts happened within the last `intervalMs`:
 * drops the starts that fell out of the window from `starts` and records this one; false means the limit is hit.
 */
export function admitStart(starts: number[], now: number, limit: ServiceSettings['startLimit']): boolean {
  while (starts.length > 0 && starts[0]! <= now - limit.intervalMs) starts.shift();
  if (starts.length >= limit.count) return false;
  starts.push(now);
  return true;
}
