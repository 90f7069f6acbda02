// A supervisor lives as long as the machine and does little work: once its modules are loaded, V8's optimising
// compilers (TurboFan, Maglev) are turned off so that its resident memory does not grow with the code they
// make, and the supervisor's light work runs as interpreted and baseline (Sparkplug) code. Measured by
// `npm run bench:supervisor`: with them on, resident memory rose by ~6 MiB over the first 1,000 restarts of
// a crash-looping service; with them off it stays within a few hundred KiB.
//
// The flags change after start on purpose: set at start (in the executable's flags), they would make V8
// reject the code caches made under the default flags (Node's own for its built-in modules, and ours), and
// every start would compile everything again. These two flags only steer later tiering decisions.
import { v8 } from '../sys/builtins';

/** Stops optimising compilation from here on; what was optimised already stays. */
export function keepMemoryFlat(): void {
  v8().setFlagsFromString('--no-turbofan');
  v8().setFlagsFromString('--no-maglev');
}
