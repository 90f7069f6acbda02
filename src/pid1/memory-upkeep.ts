// Keeps a long-lived supervisor's resident memory at what it uses. Once settled (1 s after the services
// started, and again at 30 s), and every so many reaped processes while services come and go, it collects
// the JavaScript heap fully (so garbage promoted to V8's old generation never piles up waiting for V8's own,
// rarer, full collection), returns the C heap's free pages to the kernel, and drops from its page tables the
// pages of its executable and libraries touched since (start-up's most of all): they stay in the page cache,
// and what runs next faults its own back in. An idle supervisor does nothing after the first 30 s.
import { readFileSync } from 'node:fs';
import { v8, vm } from '../sys/builtins';
import type { Logger } from '../log/log';
import { dropFilePages, trimMallocHeap } from '../sys/memory';
import { droppableMappings, parseSmaps } from './droppable-mappings';

export interface MemoryUpkeepOptions {
  /** A count that grows with the supervisor's work: processes reaped so far. */
  activity: () => number;
  log: Logger;
  /** From start to the upkeeps that run whatever the activity (default 1 s and 30 s). */
  settleMs?: readonly number[];
  /** How often the activity is looked at (default 10 s). */
  periodMs?: number;
  /** Reaped processes since the last collection that make the next one due (default 500). */
  collectEvery?: number;
}

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** Starts the upkeep timers (unref'd: they never keep the process alive). */
export function startMemoryUpkeep(options: MemoryUpkeepOptions): void {
  const { activity, log } = options;
  const collectEvery = options.collectEvery ?? 500;
  const settleMs = options.settleMs ?? [1_000, 30_000];
  // V8 exposes a full collection only as a global of contexts made once --expose-gc is set: one small
  // context, made here, holds it (the flag changes no compiled code).
  v8().setFlagsFromString('--expose-gc');
  const collect = vm().runInNewContext('gc') as Collect;
  let collectedAt = activity();

  const upkeep = (): void => {
    const started = process.hrtime.bigint();
    collectedAt = activity();
    try {
      collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const trimmed = trimMallocHeap();
      let droppedKiB = 0;
      // Without /proc (not mounted yet) this throws and the pages just stay mapped.
      for (const mapping of droppableMappings(parseSmaps(readFileSync('/proc/self/smaps', 'utf8')))) {
        dropFilePages(mapping);
        droppedKiB += mapping.residentKiB;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.debug(`memory upkeep: heap collected, C heap ${trimmed ? 'trimmed' : 'had nothing to trim'}, ${droppedKiB} KiB of file pages unmapped (${ms.toFixed(1)} ms)`);
    } catch (error) {
      // Only memory stays higher: never a reason to disturb PID 1.
      log.debug(`memory upkeep: ${(error as Error).message}`);
    }
  };

  // Once start-up is over, and once more in case a slow start (a guest without KVM) was still touching pages;
  // then as the supervisor works.
  for (const delay of settleMs) setTimeout(upkeep, delay).unref();
  setInterval(() => {
    if (activity() - collectedAt >= collectEvery) upkeep();
  }, options.periodMs ?? 10_000).unref();
}
