// runSteps with handlers that fail on purpose: Warn goes on, Retry retries then aborts, Abort stops, break runs first.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { abortSummary, runSteps, type Handlers } from '../../src/exec/run-steps';
import { SysError } from '../../src/sys/sys-error';
import type { FailurePolicy, Step } from '../../src/plan/step';
import { heldTasks } from '../helpers/held-tasks';

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

describe('runSteps with module loads that may run at the same time', () => {
  const load = (name: string, after: string[] | undefined, onFailure: FailurePolicy['onFailure'] = 'Abort'): Step => ({
    kind: 'loadModule',
    phase: 'preSwitch',
    source: '/preSwitch/modules',
    policy: policy(onFailure),
    name,
    path: `/lib/modules/${name}.ko`,
    parameters: '',
    lookup: undefined,
    after,
  });

  // Each load ends when the test says, or fails at once when listed in `failing`; `events` records starts and ends.
  function loads(failing: readonly string[] = []) {
    const tasks = heldTasks();
    const lines: string[] = [];
    const log = createLogger({ write: (text) => (lines.push(text), true) }, 'debug', () => 0);
    const handlers = new Proxy({} as Handlers<null>, {
      get: () => (step: Step) => {
        const key = step.kind === 'loadModule' ? step.name : step.kind === 'sysctl' ? step.key : step.kind;
        if (failing.includes(key) || step.kind !== 'loadModule') {
          tasks.events.push(`start ${key}`);
          return failing.includes(key) ? Promise.reject(new SysError({ syscall: 'finit_module', errno: 2, args: { path: key } })) : undefined;
        }
        return tasks.start(key, undefined);
      },
    });
    return { events: tasks.events, handlers, log, lines, end: tasks.end, settle: tasks.settle, loading: tasks.running };
  }

  it('starts a load as soon as the modules it needs are loaded, the next step once every load has ended', async () => {
    const h = loads();
    // virtio_pci and virtiofs's own dependency chains, as the plan lists them.
    const steps = [load('virtio_ring', []), load('virtio', ['virtio_ring']), load('fuse', []), load('virtiofs', ['fuse', 'virtio', 'virtio_ring']), sysctl('after')];
    const run = runSteps(steps, h.handlers, null, { log: h.log, moduleLoadsAtOnce: 4 });
    await h.settle();
    await h.settle();
    expect(h.loading()).toEqual(['virtio_ring', 'fuse']);
    await h.end('virtio_ring');
    expect(h.loading()).toEqual(['fuse', 'virtio']);
    await h.end('virtio');
    await h.end('fuse');
    expect(h.loading()).toEqual(['virtiofs']);
    expect(h.events).not.toContain('start after');
    await h.end('virtiofs');
    const result = await run;
    expect(h.events.at(-1)).toBe('start after');
    expect(result.aborted).toBeUndefined();
    // Outcomes in step order whatever order the loads ended in.
    expect(result.outcomes.map((outcome) => outcome.index)).toEqual([0, 1, 2, 3, 4]);
    expect(h.lines.filter((line) => line.includes('debug: loading 4 modules, up to 4 at a time, each once the modules it needs are loaded'))).toHaveLength(1);
  });

  it('with one CPU\'s width runs them one after another and says why', async () => {
    const h = loads();
    const run = runSteps([load('a', []), load('b', [])], h.handlers, null, { log: h.log, moduleLoadsAtOnce: 1 });
    await h.settle();
    await h.settle();
    expect(h.loading()).toEqual(['a']);
    await h.end('a');
    await h.end('b');
    await run;
    expect(h.lines.filter((line) => line.includes('debug: loading 2 modules one after another (one CPU: their kernel work would only interleave)'))).toHaveLength(1);
  });

  it('keeps to the width it is given', async () => {
    const h = loads();
    const run = runSteps([load('a', []), load('b', []), load('c', [])], h.handlers, null, { log: h.log, moduleLoadsAtOnce: 2 });
    await h.settle();
    await h.settle();
    expect(h.loading()).toEqual(['a', 'b']);
    await h.end('b');
    expect(h.loading()).toEqual(['a', 'c']);
    await h.end('a');
    await h.end('c');
    expect((await run).outcomes).toHaveLength(3);
  });

  it('a failure that aborts starts no further load, lets the running ones end, and aborts on that step', async () => {
    const h = loads(['b']);
    const steps = [load('a', []), load('b', []), load('c', ['b']), load('d', []), sysctl('after')];
    const run = runSteps(steps, h.handlers, null, { log: h.log, moduleLoadsAtOnce: 2 });
    await h.settle();
    await h.settle();
    expect(h.loading()).toEqual(['a']);
    await h.end('a');
    const result = await run;
    expect(h.events).toEqual(['start a', 'start b', 'end a']);
    expect(result.aborted?.step).toMatchObject({ name: 'b' });
    expect(result.outcomes.map((outcome) => [outcome.index, outcome.status])).toEqual([[0, 'ok'], [1, 'failed']]);
  });

  it('a failure that only warns lets the loads that need it try (as one after another would)', async () => {
    const h = loads(['b']);
    const run = runSteps([load('b', [], 'Warn'), load('c', ['b'])], h.handlers, null, { log: h.log, moduleLoadsAtOnce: 4 });
    await h.end('c');
    const result = await run;
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['warned', 'ok']);
  });

  it('loads without `after` (parallel: false, looked up at run time) run one after another', async () => {
    const h = loads();
    const run = runSteps([load('a', undefined), load('b', undefined)], h.handlers, null, { log: h.log, moduleLoadsAtOnce: 4 });
    await h.settle();
    await h.settle();
    expect(h.loading()).toEqual(['a']);
    await h.end('a');
    await h.settle();
    expect(h.loading()).toEqual(['b']);
    await h.end('b');
    expect((await run).outcomes).toHaveLength(2);
  });

  it('a stop requested during the loads starts no further one', async () => {
    const h = loads();
    let stopped = false;
    const run = runSteps([load('a', []), load('b', ['a']), sysctl('after')], h.handlers, null, { log: h.log, stopped: () => stopped, moduleLoadsAtOnce: 4 });
    await h.settle();
    stopped = true;
    await h.end('a');
    const result = await run;
    expect(result.stopped).toBe(true);
    expect(h.events).toEqual(['start a', 'end a']);
  });
});
