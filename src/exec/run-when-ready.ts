// Runs tasks that wait on others: each starts once every task it waits for has ended, at most `width` at a time, the
// earliest ready one first. The boot's module loads use it: a module starts as soon as the modules it needs are loaded.

/** A task and the earlier tasks (by index in the list) that must end before it starts. */
export interface WaitingTask<R> {
  after: readonly number[];
  run: () => Promise<R>;
}

/**
 * The `after` of each task from names: for each item, the indexes of the items before it that it names (a name of no
 * item, or of a later one, is no wait: what it names was done before the list, or is not there).
 */
export function earlierByName(items: readonly { name: string; after: readonly string[] }[]): number[][] {
  const positions = new Map(items.map((item, index) => [item.name, index]));
  return items.map((item, index) =>
    item.after.flatMap((name) => {
      const before = positions.get(name);
      return before !== undefined && before < index ? [before] : [];
    }),
  );
}

export interface RunWhenReadyOptions {
  /** How many tasks may run at once (at least 1). */
  width: number;
  /** Checked before each start: once true, no task starts any more; the running ones are awaited. */
  halted: () => boolean;
}

/**
 * Each task's result in list order, undefined for a task never started (halted). A task may wait only for tasks before
 * it, so the earliest waiting task can always start once those have ended: the run cannot deadlock. Rejects with the
 * first task's rejection once no task runs any more (tasks that report failure as a result never reject).
 */
export function runWhenReady<R>(tasks: readonly WaitingTask<R>[], options: RunWhenReadyOptions): Promise<(R | undefined)[]> {
  for (const [index, task] of tasks.entries()) {
    const wrong = task.after.find((before) => !Number.isInteger(before) || before < 0 || before >= index);
    if (wrong !== undefined) throw new RangeError(`task ${index} waits for task ${wrong}: a task may wait only for tasks before it`);
  }
  const width = Math.max(1, Math.floor(options.width));
  const results: (R | undefined)[] = tasks.map(() => undefined);
  const state: ('waiting' | 'running' | 'ended')[] = tasks.map(() => 'waiting');
  let running = 0;
  let failure: Error | undefined;
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      for (const [index, task] of tasks.entries()) {
        if (running >= width || failure !== undefined) break;
        if (state[index] !== 'waiting' || !task.after.every((before) => state[before] === 'ended')) continue;
        if (options.halted()) break;
        state[index] = 'running';
        running++;
        task.run().then(
          (result) => {
            results[index] = result;
          },
          (error: unknown) => {
            failure ??= error instanceof Error ? error : new Error(`task ${index} failed: ${String(error)}`);
          },
        ).finally(() => {
          state[index] = 'ended';
          running--;
          pump();
        });
      }
      if (running > 0) return;
      if (failure !== undefined) reject(failure);
      else resolve(results);
    };
    pump();
  });
}
