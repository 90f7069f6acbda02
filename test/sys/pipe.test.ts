// pipe2, writeAll and writeSome for real: the stdin pipes of hooks.
import { describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

describe('pipe, writeAll and writeSome', () => {
  it('makes close-on-exec, blocking ends; writeAll feeds a reader 1 MiB; writeSome stops at a full pipe and reports EPIPE', () => {
    expect(fixtureResult(runFixture('pipe'))).toEqual({
      closeOnExec: { read: true, write: true },
      blocking: true,
      fed: { exit: { pid: expect.any(Number) as number, exitCode: 0 }, count: String((1 << 20) - 7) },
      // Linux's default pipe buffer: 16 pages.
      full: { readEndStillBlocking: true, capacity: 65536, whenFull: 0, widowed: expect.objectContaining({ name: 'SysError', code: 'EPIPE', syscall: 'write' }) as unknown },
      badFd: expect.objectContaining({ name: 'RangeError' }) as unknown,
    });
  });
});
