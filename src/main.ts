// Entry point of the single executable: PID 1 boots; otherwise the CLI verbs.
// The executable starts from a V8 code cache made after a warm-up run at build time (scripts/sea/), so the
// functions a start needs come compiled.
import { isVerb } from './cli/verb-names';

function reportBug(error: unknown): void {
  // A bug in bootstrap itself: say so plainly, keep the stack for the report.
  process.stderr.write(`bootstrap: internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  // Started by the kernel as /init: boot whatever the arguments (the kernel passes unknown ones on).
  if (process.pid === 1 && !isVerb(args[0])) {
    // The boot code is loaded on use too: a host verb never evaluates it.
    void import('./boot/boot').then(({ boot }) => boot({}));
    return;
  }
  // The CLI is loaded here, not with this module: a boot evaluates neither the verbs nor the config validation
  // they import unless it needs them (under emulation every module's first evaluation is visible in the boot time).
  import('./cli/run-cli').then(
    async ({ runCli }) => runCli(args, (await import('./cli/io')).processIo),
  ).then(
    (code) => {
      process.exitCode = code;
      // A one-shot verb is done: exit now rather than wait for the event loop to drain and tear down
      // (stdout and stderr are synchronous for files, pipes and terminals on Linux, so nothing is lost).
      process.exit(code);
    },
    (error: unknown) => {
      reportBug(error);
      process.exitCode = 70;
    },
  );
}

/** Set by the build's code-cache step: only warm up, so the code cache holds compiled functions. */
declare const BOOTSTRAP_WARM_UP_ONLY: boolean | undefined;

if (typeof BOOTSTRAP_WARM_UP_ONLY !== 'undefined' && BOOTSTRAP_WARM_UP_ONLY) {
  // The code-cache step waits for this promise before it writes the cache.
  (globalThis as { bootstrapWarmUp?: Promise<void> }).bootstrapWarmUp = import('./warm-up').then(({ warmUp }) => warmUp());
} else {
  main();
}
