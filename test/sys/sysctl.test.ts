// sysctl values as the kernel takes them: written for real in a fresh network namespace.
import { describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

describe('sysctl', () => {
  it('writes booleans as 1 and 0 and numbers as decimals, which the kernel accepts', () => {
    const result = fixtureResult<Record<string, string>>(runFixture('sysctl', [], { net: true }));
    expect(result).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv4.tcp_syncookies': '0', 'net.core.somaxconn': '1234' });
  });
});
