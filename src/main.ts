// Entry point of the single executable: the CLI verbs (PID 1 boot comes with the boot issue).
import { runCli } from './cli/run-cli';
import { processIo } from './cli/io';

function reportBug(error: unknown): void {
  // A bug in bootstrap itself: say so plainly, keep the stack for the report.
  process.stderr.write(`bootstrap: internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

runCli(process.argv.slice(2), processIo).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    reportBug(error);
    process.exitCode = 70;
  },
);
