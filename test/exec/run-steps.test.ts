// runSteps with handlers that fail on purpose: Warn goes on, Retry retries then aborts, Abort stops, break runs first.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { abortSummary, runSteps, type Handlers } from '../../src/exec/run-steps';
import { SysError } from '../../src/sys/sys-error';
import type { FailurePolicy, Step } from '../../src/plan/step';

const policy = (onFailure: FailurePolicy['onFailure'], retries = 0): FailurePolicy => ({ onFailure, retries, retryDelayMs: 5 });
const sysctl = (key: string, onFailure: FailurePolicy['onFailure'] = 'Abort', retries = 0): Step => ({ kind: 'sysctl', phase: 'preSwitch', source: `/preSwitch/sysctl/${key}`, policy: policy(onFailure, retries), key, value: '1' });

function harness(failures: Record<string, number>) {
  const calls: string[] = [];
  const lines: string[] = [];
  const log = createLogger({ write: (text) => (lines.push(text), true) }, 'debug', () => 0);
  const sleeps: number[] = [];
  const handlers = new Proxy({} as Handlers<null>, {
    get: () => (step: Step) => {
      const key = step.kind === 'sysctl' ? step.key : step.kind;
      calls.push(key);
      if ((failures[key] ?? 0) > 0) {
        failures[key]!--;
        throw new SysError({ syscall: 'open', errno: 2, args: { path: `/proc/sys/${key}` } });
      }
      return key === 'skip' ? { skipped: 'nothing to do' } : undefined;
    },
  });
  return { calls, lines, log, sleeps, handlers, sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()) };
}

describe('runSteps', () => {
  it('runs every step in order and records outcomes', async () => {
    const h = harness({});
    const result = await runSteps([sysctl('a'), sysctl('skip'), sysctl('b')], h.handlers, null, { log: h.log, sleep: h.sleep });
    expect(h.calls).toEqual(['a', 'skip', 'b']);
    expect(result.aborted).toBeUndefined();
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['ok', 'skipped', 'ok']);
    expect(result.outcomes[1]!.note).toBe('nothing to do');
  });

  it('Warn logs and goes on; the outcome keeps the errno', async () => {
    const h = harness({ a: 1 });
    const result = await runSteps([sysctl('a', 'Warn'), sysctl('b')], h.handlers, null, { log: h.log, sleep: h.sleep });
    expect(result.aborted).toBeUndefined();
    expect(result.outcomes[0]).toMatchObject({ status: 'warned', attempts: 1, error: { syscall: 'open', errno: 'ENOENT' } });
    expect(h.lines.some((line) => line.includes('continuing (onFailure: Warn)'))).toBe(true);
  });

  it('Retry tries retries+1 times with the delay, then succeeds or aborts', async () => {
    const ok = harness({ a: 2 });
    const passed = await runSteps([sysctl('a', 'Retry', 2)], ok.handlers, null, { log: ok.log, sleep: ok.sleep });
    expect(passed.outcomes[0]).toMatchObject({ status: 'ok', attempts: 3 });
    expect(ok.sleeps).toEqual([5, 5]);

    const bad = harness({ a: 5 });
    const failed = await runSteps([sysctl('a', 'Retry', 2), sysctl('b')], bad.handlers, null, { log: bad.log, sleep: bad.sleep });
    expect(bad.calls).toEqual(['a', 'a', 'a']);
    expect(failed.aborted?.outcome).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('Abort stops at the failing step and the summary names phase, step, call, errno and what to check', async () => {
    const h = harness({ b: 1 });
    const result = await runSteps([sysctl('a'), sysctl('b'), sysctl('c')], h.handlers, null, { log: h.log, sleep: h.sleep });
    expect(h.calls).toEqual(['a', 'b']);
    const summary = abortSummary(result.aborted!.step, result.aborted!.outcome);
    expect(summary).toContain('boot aborted in preSwitch, step 2 (sysctl from /preSwitch/sysctl/b)');
    expect(summary).toContain('call:   open failed with ENOENT');
    expect(summary).toContain('check:');
  });

  it('runs the break shell before the first step of the chosen phase', async () => {
    const h = harness({});
    const steps: Step[] = [sysctl('a'), { ...sysctl('b'), phase: 'postSwitch' }];
    await runSteps(steps, h.handlers, null, { log: h.log, sleep: h.sleep, breakBefore: { phase: 'postSwitch', run: () => (h.calls.push('break'), Promise.resolve()) } });
    expect(h.calls).toEqual(['a', 'break', 'b']);
  });
});
