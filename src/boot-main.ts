// Entry point of the boot program, which the single executable runs as PID 1 (scripts/sea/loader.cjs picks it by
// process id): the boot alone, bundled apart from the CLI, so that PID 1 reads, deserializes and evaluates only the
// code a boot runs (docs/performance.md, "A fourth pass"). A verb given to PID 1 (`bootstrap boot` as a container's
// init, `__boot-in-namespaces`) runs the CLI program instead. Outside the executable src/main.ts does both.
import { boot } from './boot/boot';
import { isVerb } from './cli/verb-names';

/** The loader's: runs another program of the executable in this process, by name. */
declare const BOOTSTRAP_RUN_PROGRAM: ((name: string) => void) | undefined;

/** Set by the build's code-cache step: this program's warm-up is the evaluation of its modules, done by then. */
declare const BOOTSTRAP_WARM_UP_ONLY: boolean | undefined;

function main(): void {
  if (!isVerb(process.argv[2])) {
    void boot({});
    return;
  }
  if (typeof BOOTSTRAP_RUN_PROGRAM === 'undefined') {
    process.stderr.write('bootstrap: internal error (please report): the boot program was started without its loader\n');
    process.exitCode = 70;
    return;
  }
  BOOTSTRAP_RUN_PROGRAM('bootstrap');
}

if (typeof BOOTSTRAP_WARM_UP_ONLY === 'undefined' || !BOOTSTRAP_WARM_UP_ONLY) main();
