// The loadModule handler for a module looked up at run time: its dependencies load at the same time as far as
// modules.dep allows (one after another with parallel: false), and a failed one starts nothing more.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModule } from '../../src/exec/handlers/module';
import { createLogger } from '../../src/log/log';
import type { StepOf } from '../../src/plan/step';
import { SysError, type FinitModuleSpec, type ModuleLoadResult, type Sys } from '../../src/sys/index';
import { moduleLoadsAtOnce } from '../../src/sys/module';
import { heldTasks } from '../helpers/held-tasks';

// c needs a and b, which need nothing: a and b may load together, c after both (modprobe's order: b, a, c).
const tree = mkdtempSync(join(tmpdir(), 'module-handler-'));
mkdirSync(join(tree, 'kernel'));
writeFileSync(join(tree, 'modules.dep'), 'kernel/a.ko:\nkernel/b.ko:\nkernel/c.ko: kernel/a.ko kernel/b.ko\n');
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const step = (parallel: boolean): StepOf<'loadModule'> => ({
  kind: 'loadModule',
  phase: 'postSwitch',
  source: '/postSwitch/modules',
  policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 },
  name: 'c',
  path: undefined,
  parameters: '',
  lookup: { request: 'c', directory: tree, depFilePath: undefined, parameters: {}, parallel },
  after: undefined,
});

// A kernel whose loads end when the test says; `failing` ones fail with ENOENT when ended.
function kernel(failing: readonly string[] = []) {
  const tasks = heldTasks();
  const finitModule = (spec: FinitModuleSpec): Promise<ModuleLoadResult> => {
    const module = (spec.path ?? '?').replace(/^.*\/|\.ko$/g, '');
    return tasks.start<ModuleLoadResult>(module, 'loaded', failing.includes(module) ? new SysError({ syscall: 'finit_module', errno: 2, args: { path: spec.path } }) : undefined);
  };
  const context = { sys: { finitModule } as Partial<Sys> as Sys, log: createLogger({ write: () => true }, 'error'), env: {}, moduleLoadsAtOnce: 4 };
  return { events: tasks.events, end: tasks.end, settle: tasks.settle, context, loading: tasks.running };
}

describe('loadModule looked up at run time', () => {
  it('loads the dependencies that need nothing of each other at the same time, the module once they are loaded', async () => {
    const k = kernel();
    const done = loadModule(step(true), k.context);
    await k.settle();
    expect(k.loading()).toEqual(['b', 'a']);
    await k.end('b');
    expect(k.loading()).toEqual(['a']);
    await k.end('a');
    await k.end('c');
    await expect(done).resolves.toBeUndefined();
    expect(k.events).toEqual(['start b', 'start a', 'end b', 'end a', 'start c', 'end c']);
  });

  it('with parallel: false loads one module after another, dependencies first', async () => {
    const k = kernel();
    const done = loadModule(step(false), k.context);
    await k.settle();
    expect(k.loading()).toEqual(['b']);
    await k.end('b');
    await k.end('a');
    await k.end('c');
    await done;
    expect(k.events).toEqual(['start b', 'end b', 'start a', 'end a', 'start c', 'end c']);
  });

  it('a dependency that fails starts nothing more and fails the step once the loads running have ended', async () => {
    const k = kernel(['a']);
    const done = loadModule(step(true), k.context);
    const failed = expect(done).rejects.toThrow(/^finit_module\(path="[^"]*\/kernel\/a\.ko"\): ENOENT/);
    await k.end('a');
    await k.end('b');
    await failed;
    expect(k.events).toEqual(['start b', 'start a', 'end a', 'end b']);
  });
});

describe('moduleLoadsAtOnce', () => {
  it('is one per CPU, at most the four threads of libuv\'s pool, and one on one CPU', () => {
    expect([0, 1, 2, 3, 4, 64].map((cpus) => moduleLoadsAtOnce(cpus))).toEqual([1, 1, 2, 3, 4, 4]);
  });
});
