// The reaper's bookkeeping over a fake Sys: dispatch by pid, orphans, batches that yield, the stop.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { createChildren, type Children } from '../../src/exec/children';
import type { ChildExit, SpawnSpec, Sys } from '../../src/sys/index';

/** A Sys whose process table is a list of ended processes waitAny hands out in order. */
function fakeSys(overrides: Partial<Sys> = {}): { sys: Sys; ended: ChildExit[]; spawned: SpawnSpec[]; nextPid: { value: number } } {
  const ended: ChildExit[] = [];
  const spawned: SpawnSpec[] = [];
  const nextPid = { value: 100 };
  const implemented: Partial<Sys> = {
    posixSpawn: (spec) => {
      spawned.push(spec);
      return nextPid.value++;
    },
    waitAny: () => ended.shift() ?? null,
    ...overrides,
  };
  const sys = new Proxy(implemented, {
    get(target, name: string) {
      const value = target[name as keyof Sys];
      if (value === undefined) throw new Error(`fake Sys: ${name} not expected here`);
      return value;
    },
  }) as Sys;
  return { sys, ended, spawned, nextPid };
}

const lines: string[] = [];
const log = createLogger({ write: (text) => (lines.push(text), true) }, 'debug');
const spec: SpawnSpec = { path: '/bin/true', argv: ['true'], env: {} };
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
let children: Children | undefined;

afterEach(() => {
  children?.stop();
  lines.length = 0;
});

describe('createChildren', () => {
  it('resolves each child with its own exit and counts the others as orphans', async () => {
    const fake = fakeSys();
    children = createChildren(fake.sys, log);
    const first = children.spawn(spec);
    const second = children.spawn(spec);
    expect(children.running).toBe(2);
    fake.ended.push({ pid: 7, exitCode: 0 }, { pid: second.pid, exitCode: 3 }, { pid: 8, signal: 9, signalName: 'SIGKILL', coreDumped: false }, { pid: first.pid, signal: 15, signalName: 'SIGTERM', coreDumped: false });
    children.reapNow();
    await expect(first.exited).resolves.toEqual({ pid: 100, signal: 15, signalName: 'SIGTERM', coreDumped: false });
    await expect(second.exited).resolves.toEqual({ pid: 101, exitCode: 3 });
    expect(children.stats).toEqual({ orphansReaped: 2, childrenReaped: 2 });
    expect(children.running).toBe(0);
  });

  it('reaps right after spawning, so a child that ended at once is settled without a signal', async () => {
    const fake = fakeSys();
    children = createChildren(fake.sys, log, { sweepMs: 60_000 });
    // The fake's next child "ends" before spawn returns, as /bin/true may.
    fake.ended.push({ pid: 100, exitCode: 0 });
    const handle = children.spawn(spec);
    await expect(handle.exited).resolves.toEqual({ pid: 100, exitCode: 0 });
    expect(children.stats.orphansReaped).toBe(0);
  });

  it('reaps a storm in batches that let other callbacks run between them', async () => {
    const fake = fakeSys();
    children = createChildren(fake.sys, log, { batch: 100, sweepMs: 60_000 });
    for (let pid = 1000; pid < 1350; pid++) fake.ended.push({ pid, exitCode: 0 });
    children.reapNow();
    expect(children.stats.orphansReaped).toBe(100);
    await immediate();
    expect(children.stats.orphansReaped).toBe(200);
    for (let turn = 0; turn < 3; turn++) await immediate();
    expect(children.stats.orphansReaped).toBe(350);
    expect(fake.ended).toEqual([]);
  });

  it('sweeps periodically, for a SIGCHLD that never came', async () => {
    const fake = fakeSys();
    children = createChildren(fake.sys, log, { sweepMs: 20 });
    const handle = children.spawn(spec);
    fake.ended.push({ pid: handle.pid, exitCode: 4 });
    await expect(handle.exited).resolves.toEqual({ pid: handle.pid, exitCode: 4 });
  });

  it('logs a failing waitpid instead of throwing from a signal handler', () => {
    const waitAny = (): never => {
      throw new Error('waitpid(pid=-1): EINVAL');
    };
    children = createChildren(fakeSys({ waitAny }).sys, log, { sweepMs: 60_000 });
    expect(() => children?.reapNow()).not.toThrow();
    expect(lines.join('')).toContain('reaping children: waitpid(pid=-1): EINVAL');
  });

  it('refuses to spawn after stop, and passes the spec through unchanged', () => {
    const fake = fakeSys();
    children = createChildren(fake.sys, log);
    children.spawn({ ...spec, setpgid: true });
    expect(fake.spawned).toEqual([{ ...spec, setpgid: true }]);
    children.stop();
    expect(() => children?.spawn(spec)).toThrow('spawn after stop');
  });
});
