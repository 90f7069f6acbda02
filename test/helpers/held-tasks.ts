// Work a test ends when it says: each piece is recorded as it starts and held until `end(name)`, so a test sees
// which pieces run at the same time and in what order they start.
export interface HeldTasks {
  /** `start NAME` and `end NAME`, in order. */
  readonly events: string[];
  /** Starts `name`; the promise settles when the test ends it: with `value`, or rejected with `failure`. */
  readonly start: <T>(name: string, value: T, failure?: Error) => Promise<T>;
  /** Lets pending callbacks run, ends `name` (which must be running), and lets them run again. */
  readonly end: (name: string) => Promise<void>;
  /** One turn of the event loop. */
  readonly settle: () => Promise<void>;
  /** The names started and not ended, in the order they started. */
  readonly running: () => string[];
}

export function heldTasks(): HeldTasks {
  const events: string[] = [];
  const held = new Map<string, () => void>();
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    events,
    start: <T>(name: string, value: T, failure?: Error): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        events.push(`start ${name}`);
        held.set(name, () => {
          events.push(`end ${name}`);
          if (failure === undefined) resolve(value);
          else reject(failure);
        });
      }),
    end: async (name: string): Promise<void> => {
      await settle();
      const finish = held.get(name);
      if (finish === undefined) throw new Error(`${name} is not running; events: ${events.join(', ')}`);
      held.delete(name);
      finish();
      await settle();
    },
    settle,
    running: () => [...held.keys()],
  };
}
