// Entry point of the single executable: PID 1 boots; otherwise the CLI verbs.
// The executable is built from a V8 startup snapshot: module set-up and a warm-up validation run at
// build time, so a start only deserialises the heap and calls `main`.
import { startupSnapshot } from 'node:v8';
import { boot } from './boot/boot';
import { isVerb, runCli } from './cli/run-cli';
import { processIo } from './cli/io';
import { warmUp } from './warm-up';

function reportBug(error: unknown): void {
  // A bug in bootstrap itself: say so plainly, keep the stack for the report.
  process.stderr.write(`bootstrap: internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  // Started by the kernel as /init: boot whatever the arguments (the kernel passes unknown ones on).
  if (process.pid === 1 && !isVerb(args[0])) {
    void boot({});
    return;
  }
  runCli(args, processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      reportBug(error);
      process.exitCode = 70;
    },
  );
}

if (startupSnapshot.isBuildingSnapshot()) {
  warmUp();
  startupSnapshot.setDeserializeMainFunction(main);
} else {
  main();
}
