// A UDP socket bound to one interface, for real: broadcasts go out of an interface without an address and come
// back to it (what DHCP needs before its lease), a receive is bounded, and a missing device is named.
import { describe, expect, it } from 'vitest';
import type { ErrorReport } from './fixtures/report';
import { fixtureResult, runFixture } from './run-fixture';

interface Result {
  nothing: boolean;
  waitedMs: number;
  atServer: number[] | undefined;
  atClient: number[] | undefined;
  noDevice: ErrorReport | null;
  badName: ErrorReport | null;
}

describe('openUdpOnDevice', () => {
  const result = fixtureResult<Result>(runFixture('udp-broadcast', [], { net: true }));

  it('waits no longer than asked when nothing comes', () => {
    expect(result.nothing).toBe(true);
    expect(result.waitedMs).toBeGreaterThanOrEqual(290);
    expect(result.waitedMs).toBeLessThan(1500);
  });

  it('broadcasts from an interface without an address to the other end, and receives the broadcast answer', () => {
    expect(result.atServer).toEqual([1, 2, 3]);
    expect(result.atClient).toEqual([4, 5, 6, 7]);
  });

  it('names the device it cannot bind to, and refuses a name the kernel would not take before any call', () => {
    expect(result.noDevice).toMatchObject({ name: 'SysError', syscall: 'setsockopt', code: 'ENODEV' });
    expect(result.noDevice?.message).toContain('SO_BINDTODEVICE');
    expect(result.noDevice?.message).toContain('nosuch0');
    expect(result.badName).toMatchObject({ name: 'TypeError' });
    expect(result.badName?.message).toContain('openUdpOnDevice: device must be an interface name');
  });
});
