// During the boot V8 runs the program interpreted only. Under emulation (QEMU's TCG, qemu-user) the emulator must
// translate every piece of machine code before it first runs, the code V8's compilers write as they go included,
// and pages the emulator has translated cost it more each time they are written again: for a run as short as a boot
// that costs more than the compiled code saves (measured: docs/performance.md, "A fourth pass"). On real hardware a
// boot is too short for the compilers to matter either way. Once the handoff runs, the executable's own tiers
// return (a supervisor then turns the optimising ones off again: flat-memory.ts).
//
// The flags change after start, not in the executable's flags: there they would make V8 reject the code caches made
// under the default flags (Node's own for its built-in modules, and ours).
import { setV8Flags } from '../sys/v8-flags';

/** V8's compilers off: Sparkplug (baseline), Maglev and TurboFan (optimising), and irregexp's native code. */
export const INTERPRETED_FLAGS = '--no-sparkplug --no-maglev --no-turbofan --regexp-interpret-all';
/** V8's defaults for the same flags, as the executable runs them (scripts/build.ts sets none of these). */
export const COMPILED_FLAGS = '--sparkplug --maglev --turbofan --no-regexp-interpret-all';

let interpreting = false;

/** Turns V8's compilers off for the boot; returns what went wrong (the boot goes on compiled then), or undefined. */
export function interpretDuringBoot(): string | undefined {
  try {
    setV8Flags(INTERPRETED_FLAGS);
    interpreting = true;
    return undefined;
  } catch (error) {
    return `could not turn V8's compilers off for the boot (${(error as Error).message}); booting with them`;
  }
}

/** Turns V8's compilers back on once the boot is over (a no-op if the boot did not turn them off). */
export function compileAfterBoot(): void {
  if (!interpreting) return;
  interpreting = false;
  setV8Flags(COMPILED_FLAGS);
}
