// The bounded wait every netlink answer goes through: poll(2) with a deadline, on a real pipe.
import { describe, expect, it } from 'vitest';
import { pipe, writeAll } from '../../src/sys/pipe';
import { close } from '../../src/sys/fd';
import { waitReadable } from '../../src/sys/poll';

describe('waitReadable', () => {
  it('gives up after the time given when nothing comes, and returns at once when something is there', () => {
    const { readFd, writeFd } = pipe();
    try {
      const started = performance.now();
      expect(waitReadable(readFd, 150)).toBe(false);
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(145);
      expect(waited).toBeLessThan(1000);
      writeAll(writeFd, Uint8Array.of(1));
      const again = performance.now();
      expect(waitReadable(readFd, 5000)).toBe(true);
      expect(performance.now() - again).toBeLessThan(100);
      expect(waitReadable(readFd, 0)).toBe(true);
    } finally {
      close(readFd);
      close(writeFd);
    }
  });

  it('checks its arguments before the call', () => {
    expect(() => waitReadable(-1, 10)).toThrow(RangeError);
    expect(() => waitReadable(0, -5)).toThrow(/timeoutMs must be an integer/);
  });
});
