// When a lease is renewed, rebound and lost (RFC 2131 4.4.5), on a monotonic clock in milliseconds. Pure.
import type { DhcpLease } from './lease';

/** RFC 2131 4.4.5's defaults: T1 at half the lease, T2 at 7/8 of it. */
export const RENEW_AT = 0.5;
export const REBIND_AT = 0.875;
/** RFC 2131 3.3: a lease of 0xffffffff seconds is infinite. */
export const INFINITE_LEASE = 0xffff_ffff;
/** The longest delay setTimeout holds (a 32-bit signed count of ms, about 24.8 days); longer waits are several. */
export const MAX_TIMER_MS = 0x7fff_ffff;
/** RFC 2131 4.4.5: a REQUEST is sent again after half the time left, but not sooner than 60 s. */
const MIN_RETRANSMIT_MS = 60_000;

/** The three deadlines of a lease bound at `boundAtMs`. */
export interface LeaseTimers {
  /** T1: ask the server that gave it (unicast). */
  renewAt: number;
  /** T2: ask any server (broadcast). */
  rebindAt: number;
  /** The address must go. */
  expireAt: number;
}

/**
 * The deadlines of `lease`, bound at `boundAtMs`; undefined for a lease that never ends (0xffffffff, or an ACK
 * without a lease time). The server's T1 (option 58) and T2 (option 59) are taken when they are in order
 * (T1 < T2 < lease), the defaults otherwise.
 */
export function leaseTimers(lease: Pick<DhcpLease, 'leaseSeconds' | 'renewalSeconds' | 'rebindingSeconds'>, boundAtMs: number): LeaseTimers | undefined {
  const seconds = lease.leaseSeconds;
  if (seconds === undefined || seconds >= INFINITE_LEASE) return undefined;
  let renew = seconds * RENEW_AT;
  let rebind = seconds * REBIND_AT;
  const { renewalSeconds: t1, rebindingSeconds: t2 } = lease;
  if (t2 !== undefined && t2 > 0 && t2 < seconds) rebind = t2;
  if (t1 !== undefined && t1 > 0 && t1 < rebind) renew = t1;
  if (renew >= rebind) renew = rebind * (RENEW_AT / REBIND_AT);
  return { renewAt: boundAtMs + renew * 1000, rebindAt: boundAtMs + rebind * 1000, expireAt: boundAtMs + seconds * 1000 };
}

/** When a REQUEST sent at `nowMs` in a state that ends at `untilMs` is sent again: half the time left, at least 60 s, never past the end. */
export function retransmitAt(nowMs: number, untilMs: number): number {
  return Math.min(untilMs, nowMs + Math.max((untilMs - nowMs) / 2, MIN_RETRANSMIT_MS));
}

/** The next setTimeout delay on the way to `deadlineMs`: what is left, clamped to what a timer holds. */
export function timerDelay(nowMs: number, deadlineMs: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(deadlineMs - nowMs)));
}

/** Seconds left until `deadlineMs`, as an address lifetime takes them (whole, at least 1 while any time is left). */
export function secondsLeft(nowMs: number, deadlineMs: number): number {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}
