// reboot(2) for real as PID 1 of a PID namespace, where the kernel turns it into a signal to the namespace's init.
import { describe, expect, it } from 'vitest';
import { describe as describeRun, fixtureResult, runFixture } from './run-fixture';

describe('reboot', () => {
  it('poweroff and halt end the namespace as killed by SIGINT', () => {
    for (const command of ['poweroff', 'halt']) {
      const run = runFixture('power', [command]);
      expect(run.signal, describeRun(run)).toBe('SIGINT');
    }
  });

  it('restart ends the namespace as killed by SIGHUP', () => {
    const run = runFixture('power', ['restart']);
    expect(run.signal, describeRun(run)).toBe('SIGHUP');
  });

  it('a command the namespace cannot perform fails with EINVAL', () => {
    const result = fixtureResult<{ failure: Record<string, string> | null }>(runFixture('power', ['ctrlAltDelOff']));
    expect(result.failure).toMatchObject({ name: 'SysError', code: 'EINVAL', syscall: 'reboot' });
  });

  it('an unknown command is refused before calling the kernel', () => {
    const result = fixtureResult<{ failure: Record<string, string> | null }>(runFixture('power', ['explode']));
    expect(result.failure).toMatchObject({ name: 'TypeError' });
    expect(result.failure?.['message']).toContain('unknown command "explode"');
  });
});
