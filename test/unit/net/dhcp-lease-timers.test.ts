// RFC 2131 4.4.5's timers: T1 and T2 from the lease or the server's options, infinite leases, retransmission, clamping.
import { describe, expect, it } from 'vitest';
import { clientMessage } from '../../../src/net/dhcp/lease';
import { leaseTimers, MAX_TIMER_MS, retransmitAt, secondsLeft, timerDelay } from '../../../src/net/dhcp/lease-timers';

const lease = (leaseSeconds: number | undefined, renewalSeconds?: number, rebindingSeconds?: number) => ({ leaseSeconds, renewalSeconds, rebindingSeconds });

describe('leaseTimers', () => {
  it('T1 at half the lease, T2 at 7/8, expiry at its end, from the time it was bound', () => {
    expect(leaseTimers(lease(86_400), 1000)).toEqual({ renewAt: 1000 + 43_200_000, rebindAt: 1000 + 75_600_000, expireAt: 1000 + 86_400_000 });
  });
  it("takes the server's T1 and T2 (options 58, 59) when they are in order", () => {
    expect(leaseTimers(lease(100, 30, 60), 0)).toEqual({ renewAt: 30_000, rebindAt: 60_000, expireAt: 100_000 });
  });
  it('falls back to the defaults for a T2 past the lease or a T1 past T2', () => {
    expect(leaseTimers(lease(100, undefined, 200), 0)).toEqual({ renewAt: 50_000, rebindAt: 87_500, expireAt: 100_000 });
    expect(leaseTimers(lease(100, 90, 60), 0)).toEqual({ renewAt: 50_000, rebindAt: 60_000, expireAt: 100_000 });
    expect(leaseTimers(lease(100, 90, 40), 0)).toEqual({ renewAt: 40_000 * (0.5 / 0.875), rebindAt: 40_000, expireAt: 100_000 });
  });
  it('no timers for an infinite lease (0xffffffff) or an ACK without a lease time', () => {
    expect(leaseTimers(lease(0xffff_ffff), 0)).toBeUndefined();
    expect(leaseTimers(lease(undefined), 0)).toBeUndefined();
  });
  it('a lease just short of infinite gives deadlines past what one setTimeout holds; each delay is clamped', () => {
    const timers = leaseTimers(lease(0xffff_fffe), 0)!;
    expect(timers.renewAt).toBeGreaterThan(MAX_TIMER_MS);
    expect(timerDelay(0, timers.renewAt)).toBe(MAX_TIMER_MS);
    expect(timerDelay(10, 5)).toBe(0);
  });
});

describe('retransmitAt', () => {
  it('half the time left, at least 60 s, never past the end of the state', () => {
    expect(retransmitAt(0, 1_000_000)).toBe(500_000);
    expect(retransmitAt(0, 100_000)).toBe(60_000);
    expect(retransmitAt(0, 5000)).toBe(5000);
  });
});

describe('secondsLeft', () => {
  it('rounds up while time is left, 0 after', () => {
    expect(secondsLeft(0, 1500)).toBe(2);
    expect(secondsLeft(2000, 1500)).toBe(0);
  });
});

describe('clientMessage for a lease held', () => {
  it('RENEWING/REBINDING: ciaddr is the address, no requested address or server id, no broadcast flag', () => {
    const message = clientMessage({ type: 'request', ciaddr: '10.0.2.15', xid: 1, mac: Uint8Array.of(2, 0, 0, 0, 0, 1), secs: 0 });
    expect(message.ciaddr).toBe('10.0.2.15');
    expect(message.broadcast).toBe(false);
    expect(message.options.has(50)).toBe(false);
    expect(message.options.has(54)).toBe(false);
  });
});
