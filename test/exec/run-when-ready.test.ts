// runWhenReady: each task starts once the tasks it waits for have ended, at most `width` at once, and none after a halt.
import { describe, expect, it } from 'vitest';
import { earlierByName, runWhenReady, type WaitingTask } from '../../src/exec/run-when-ready';
import { heldTasks } from '../helpers/held-tasks';

/** Tasks whose ends the test decides: `finish(i)` ends task i; `events` records starts and ends in order. */
function controlled(waits: number[][]) {
  const held = heldTasks();
  const tasks: WaitingTask<string>[] = waits.map((after, index) => ({ after, run: () => held.start(String(index), `result ${index}`) }));
  // Every task started so far, ended or not, in the order they started.
  const started = (): number[] => held.events.filter((event) => event.startsWith('start ')).map((event) => Number(event.slice(6)));
  return { tasks, events: held.events, finish: (index: number) => held.end(String(index)), settle: held.settle, started };
}

describe('runWhenReady', () => {
  it('starts every task whose waits are over at once, and each other one as soon as they are', async () => {
    // 0 and 1 need nothing, 2 needs 0, 3 needs 0 and 1.
    const c = controlled([[], [], [0], [0, 1]]);
    const done = runWhenReady(c.tasks, { width: 4, halted: () => false });
    await c.settle();
    expect(c.started()).toEqual([0, 1]);
    await c.finish(0);
    expect(c.started()).toEqual([0, 1, 2]);
    await c.finish(1);
    expect(c.started()).toEqual([0, 1, 2, 3]);
    await c.finish(3);
    await c.finish(2);
    expect(await done).toEqual(['result 0', 'result 1', 'result 2', 'result 3']);
  });

  it('never runs more than `width` at once, starting the earliest ready first', async () => {
    const c = controlled([[], [], [], []]);
    const done = runWhenReady(c.tasks, { width: 2, halted: () => false });
    await c.settle();
    expect(c.started()).toEqual([0, 1]);
    await c.finish(1);
    expect(c.started()).toEqual([0, 1, 2]);
    await c.finish(0);
    await c.finish(2);
    await c.finish(3);
    await done;
    expect(c.events).toEqual(['start 0', 'start 1', 'end 1', 'start 2', 'end 0', 'start 3', 'end 2', 'end 3']);
  });

  it('with width 1 runs the tasks one after another in list order', async () => {
    const order: number[] = [];
    const tasks = [0, 1, 2].map((index) => ({ after: [], run: () => (order.push(index), Promise.resolve(index)) }));
    expect(await runWhenReady(tasks, { width: 1, halted: () => false })).toEqual([0, 1, 2]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('starts nothing once halted, and waits for the tasks already running', async () => {
    const c = controlled([[], [], [0], []]);
    let halted = false;
    let resolved = false;
    const done = runWhenReady(c.tasks, { width: 2, halted: () => halted }).then((results) => ((resolved = true), results));
    await c.settle();
    halted = true;
    await c.finish(0);
    expect(resolved).toBe(false);
    await c.finish(1);
    expect(await done).toEqual(['result 0', 'result 1', undefined, undefined]);
    expect(c.started()).toEqual([0, 1]);
  });

  it('rejects with a task\'s error once the others have ended, and starts nothing after it', async () => {
    const ended: number[] = [];
    const tasks: WaitingTask<number>[] = [
      { after: [], run: () => Promise.reject(new Error('task 0 broke')) },
      { after: [], run: () => new Promise((resolve) => setTimeout(() => (ended.push(1), resolve(1)), 20)) },
      { after: [], run: () => (ended.push(2), Promise.resolve(2)) },
    ];
    await expect(runWhenReady(tasks, { width: 2, halted: () => false })).rejects.toThrow('task 0 broke');
    expect(ended).toEqual([1]);
  });

  it('refuses a task that waits for itself or a later task (it could never start)', () => {
    const run = () => Promise.resolve(0);
    expect(() => runWhenReady([{ after: [0], run }], { width: 1, halted: () => false })).toThrow('task 0 waits for task 0');
    expect(() => runWhenReady([{ after: [1], run }, { after: [], run }], { width: 1, halted: () => false })).toThrow(RangeError);
  });

  it('resolves at once for no tasks', async () => {
    expect(await runWhenReady([], { width: 4, halted: () => false })).toEqual([]);
  });
});

describe('earlierByName', () => {
  it('waits for the named items before each one, never for a later item or a name not in the list', () => {
    const items = [
      { name: 'ring', after: ['loaded-before'] },
      { name: 'virtio', after: ['ring'] },
      { name: 'pci', after: ['virtio', 'ring', 'later'] },
      { name: 'later', after: [] },
    ];
    expect(earlierByName(items)).toEqual([[], [0], [1, 0], []]);
  });
});
