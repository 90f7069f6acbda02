// What every CLI verb provides: its name, its help text and how it runs.
import type { CliIo } from './io';

/** Exit codes of every verb: 0 ok, 1 invalid input or failed check, 2 usage or I/O error. */
export const exitCode = { ok: 0, invalid: 1, usage: 2 } as const;

export interface Verb {
  name: string;
  /** One line for `bootstrap --help`. */
  summary: string;
  /** The whole `bootstrap VERB --help` text. */
  help: string;
  run(args: readonly string[], io: CliIo): Promise<number> | number;
}
