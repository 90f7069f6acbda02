// What every step handler gets: the kernel, the log, and the environment children inherit.
import type { Sys } from '../sys/index';
import type { Logger } from '../log/log';

export interface BaseContext {
  sys: Sys;
  log: Logger;
  /** The environment of hooks and the handoff; `setEnv` steps add to it. */
  env: Record<string, string>;
  /** Work to run once the handoff has started (a boot's only: its handoff step runs it); absent elsewhere. */
  afterHandoff?: (() => void)[];
  /** How many module loads a step may run at once; one per CPU, at most four, when absent (tests set it). */
  moduleLoadsAtOnce?: number;
}
