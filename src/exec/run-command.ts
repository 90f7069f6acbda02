// Runs one command to its end for PID 1: PATH search, stdin fed from memory, console output, timeout killing its group.
import { resolve } from 'node:path';
import type { ChildExit, StdioSource, Sys } from '../sys/index';
import type { ChildHandle, Children } from './children';
import { signalGroup } from './signal-group';
import { nowMs } from '../clock';

/** The search path when the environment has no PATH: what a boot needs, sbin first as for root. */
export const DEFAULT_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** Time between SIGTERM and SIGKILL of a command that outlived its timeout. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** What runCommand takes. */
export interface CommandSpec {
  /** argv[0] is the program: searched in env.PATH unless it holds a slash. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Bytes for the command's stdin; without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** After this long the command's process group gets SIGTERM, and SIGKILL `killGraceMs` later. */
  timeoutMs?: number;
  killGraceMs?: number;
  cwd?: string;
  /** Default 'inherit': PID 1's fds 1 and 2, the console. */
  stdout?: StdioSource;
  stderr?: StdioSource;
}

/** How a command ended. */
export interface CommandResult {
  exit: ChildExit;
  /** The timeout fired (the exit then is usually SIGTERM or SIGKILL). */
  timedOut: boolean;
  /** From spawn to reaped exit. */
  durationMs: number;
  /** Bytes of `input` the command's stdin took before it closed or the command ended. */
  inputWritten: number;
}

/** The program of a command was not found: names it and the search path. */
export class ProgramNotFoundError extends Error {
  readonly program: string;
  readonly searchPath: string;

  constructor(program: string, searchPath: string) {
    super(`program ${JSON.stringify(program)} not found in PATH ${searchPath} (or not an executable file there)`);
    this.name = 'ProgramNotFoundError';
    this.program = program;
    this.searchPath = searchPath;
  }
}

/**
 * The path to start for `program`, as execvp finds it: a name with a slash as is, else the first
 * executable file in `searchPath` (an empty entry is the working directory).
 */
export function resolveProgram(program: string, searchPath: string, cwd: string, isExecutable: (path: string) => boolean): string {
  if (program.includes('/')) return program;
  for (const dir of searchPath.split(':')) {
    const candidate = resolve(cwd, dir === '' ? '.' : dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  throw new ProgramNotFoundError(program, searchPath);
}

/**
 * Starts a command in its own process group (so a timeout reaches everything it started), feeds
 * its stdin and resolves when it has been reaped. Throws before starting for a missing program or
 * a bad spec; a failing command is a result, not an error.
 */
export async function runCommand(children: Children, sys: Sys, spec: CommandSpec): Promise<CommandResult> {
  const program = spec.argv[0];
  if (program === undefined || program === '') throw new TypeError(`command ${JSON.stringify(spec.argv)}: argv must start with a program name`);
  const timeoutMs = checkDuration('timeoutMs', spec.timeoutMs);
  const killGraceMs = checkDuration('killGraceMs', spec.killGraceMs) ?? DEFAULT_KILL_GRACE_MS;
  const cwd = spec.cwd ?? process.cwd();
  const path = resolveProgram(program, spec.env['PATH'] ?? DEFAULT_PATH, resolve(cwd), (candidate) => sys.isExecutable(candidate));
  const input = typeof spec.input === 'string' ? Buffer.from(spec.input) : spec.input;

  const stdin = input === undefined ? undefined : sys.pipe();
  const started = nowMs();
  let child: ChildHandle;
  try {
    child = children.spawn({
      path,
      argv: spec.argv,
      env: spec.env,
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      setpgid: true,
      stdio: { in: stdin?.readFd ?? 'null', out: spec.stdout ?? 'inherit', err: spec.stderr ?? 'inherit' },
    });
  } catch (error) {
    if (stdin) sys.close(stdin.writeFd);
    throw error;
  } finally {
    // The child has its copy; ours would keep the pipe open and hide a reader that went away.
    if (stdin) sys.close(stdin.readFd);
  }

  // Settled into a value at once: a rejection left unobserved while we wait would be unhandled.
  const feeding: Promise<number | { error: unknown }> = stdin && input ? feedInput(sys, stdin.writeFd, input, child.exited).catch((error: unknown) => ({ error })) : Promise.resolve(0);
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  // A group already gone (ESRCH) is what we wanted.
  const signalChild = (signal: NodeJS.Signals): void => void signalGroup(sys, child.pid, signal);
  const termTimer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          signalChild('SIGTERM');
          killTimer = setTimeout(() => signalChild('SIGKILL'), killGraceMs);
        }, timeoutMs);

  const exit = await child.exited;
  const durationMs = nowMs() - started;
  clearTimeout(termTimer);
  clearTimeout(killTimer);
  // The leader of a timed-out command may have obeyed TERM while what it started did not.
  if (timedOut) signalChild('SIGKILL');
  const inputWritten = await feeding;
  if (typeof inputWritten !== 'number') throw inputWritten.error;
  return { exit, timedOut, durationMs, inputWritten };
}

function checkDuration(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`command: ${name} must be a number of milliseconds ≥ 0, got ${String(value)}`);
  return value;
}

// Longest pause between writes to a full pipe; short enough that a slow reader is not slowed much.
const MAX_FEED_PAUSE_MS = 50;

/**
 * Writes `input` to a non-blocking pipe in the pieces it takes, pausing while it is full, and closes
 * it when all is written, the reader went away (EPIPE) or the command ended. A blocking write could
 * hang PID 1 on a command that never reads; returns the number of bytes written.
 */
async function feedInput(sys: Sys, fd: number, input: Uint8Array, exited: Promise<ChildExit>): Promise<number> {
  let ended = false;
  let wakeEarly: (() => void) | undefined;
  void exited.then(() => {
    ended = true;
    wakeEarly?.();
  });
  let written = 0;
  let pause = 1;
  try {
    sys.setNonBlocking(fd, true);
    while (written < input.length && !ended) {
      const count = sys.writeSome(fd, input.subarray(written));
      written += count;
      if (count > 0) {
        pause = 1;
        continue;
      }
      await new Promise<void>((wake) => {
        wakeEarly = wake;
        setTimeout(wake, pause);
      });
      pause = Math.min(pause * 2, MAX_FEED_PAUSE_MS);
    }
  } catch (error) {
    // EPIPE: the command closed its stdin or ended without reading it all, as `head` does: not a failure.
    if ((error as { code?: unknown }).code !== 'EPIPE') throw error;
  } finally {
    sys.close(fd);
  }
  return written;
}
