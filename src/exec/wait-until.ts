// Polls a condition until it holds or a deadline passes: devices and virtio tags appear asynchronously.
import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from '../clock';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Calls `attempt` until it returns a value (not undefined); rejects with `onTimeout()` after the deadline. */
export async function waitUntil<T>(attempt: () => T | undefined | Promise<T | undefined>, options: WaitOptions, onTimeout: () => Error): Promise<T> {
  const sleep = options.sleep ?? delay;
  const now = options.now ?? nowMs;
  const deadline = now() + options.timeoutMs;
  let interval = options.intervalMs ?? 10;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (now() >= deadline) throw onTimeout();
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    // Back off gently: fast for devices that appear in milliseconds, cheap for slow ones.
    interval = Math.min(interval * 2, 100);
  }
}
