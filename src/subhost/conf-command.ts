// Runs an overlay-boot `NAME=!command` line, as overlay-boot does with `$(...)`, bounded in time and output.
import { spawnSync } from 'node:child_process';

/** What a `!command` gave: its standard output, or why it gave none. */
export type CommandOutput = { ok: true; stdout: string } | { ok: false; reason: string };

/** How long a configuration command may run before it is killed: a hung command must not hang the boot. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** The most standard output a configuration command may write; a value is a word or a path, never megabytes. */
export const COMMAND_MAX_BUFFER = 1024 * 1024;

/** Run `command` with `/bin/sh -c` in `cwd` (the config file's directory); non-zero, signalled or timed out is not ok. */
export function runConfCommand(command: string, cwd: string, timeoutMs: number = DEFAULT_COMMAND_TIMEOUT_MS): CommandOutput {
  const result = spawnSync('/bin/sh', ['-c', command], {
    cwd,
    timeout: timeoutMs,
    maxBuffer: COMMAND_MAX_BUFFER,
    encoding: 'utf8',
    // stdin is closed so a command that reads it ends instead of waiting on the caller's terminal.
    stdio: ['ignore', 'pipe', 'pipe'],
    // SIGKILL, not SIGTERM: a command that traps TERM must still end at the timeout.
    killSignal: 'SIGKILL',
  });
  const stderr = firstLine(result.stderr);
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return { ok: false, reason: `timed out after ${timeoutMs} ms` };
    if (code === 'ENOBUFS') return { ok: false, reason: `wrote more than ${COMMAND_MAX_BUFFER} bytes of output` };
    return { ok: false, reason: `could not run /bin/sh in ${cwd}: ${result.error.message}` };
  }
  if (result.signal !== null) return { ok: false, reason: `killed by ${result.signal}${stderr}` };
  if (result.status !== 0) return { ok: false, reason: `exited with status ${String(result.status)}${stderr}` };
  return { ok: true, stdout: result.stdout };
}

/** The first line of what the command said on stderr, to put after the reason; "" when it said nothing. */
function firstLine(stderr: string | null): string {
  const line = (stderr ?? '').split('\n').find((text) => text.trim() !== '');
  return line === undefined ? '' : `: ${line.trim().slice(0, 200)}`;
}
