// An interactive shell on the console with job control: its own session, the console as controlling terminal.
import { existsSync } from 'node:fs';
import { O_RDWR } from '../sys/fd';
import type { ChildExit, Sys } from '../sys/index';
import type { Children } from '../exec/children';
import type { Logger } from './log';
import { realConsole } from './console-device';

/** What PID 1 lends a shell: its children, its environment and its console. */
export interface ShellContext {
  sys: Sys;
  children: Children;
  log: Logger;
  env: Readonly<Record<string, string>>;
  /** The console device the shell runs on, e.g. /dev/console or /dev/ttyS0. */
  console: string;
  /** Takes the console back for PID 1's own output once the shell has ended. */
  reclaimConsole: () => void;
}

/** Whether a shell program exists here, so an emergency shell is worth offering. */
export function shellExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Gives the console to a shell and runs it to its end: PID 1 lets go of its controlling terminal first, so the
 * shell can take it, and takes the console back afterwards. Returns how the shell ended.
 */
export async function runShell(context: ShellContext, argv: readonly string[]): Promise<ChildExit> {
  const { sys, children, log } = context;
  try {
    sys.releaseControllingTerminal();
  } catch {
    // PID 1 held no terminal.
  }
  const device = realConsole(context.console);
  log.info(`starting ${argv.join(' ')} on ${device}`);
  // With setsid, glibc applies the new session before the file actions, so opening the console on fd 0
  // makes it the shell's controlling terminal; 1 and 2 are copies of 0.
  const child = children.spawn({
    path: argv[0]!,
    argv,
    env: context.env,
    cwd: '/',
    setsid: true,
    stdio: { in: { path: device, flags: O_RDWR }, out: 0, err: 0 },
  });
  const exit = await child.exited;
  log.info(`${argv[0]} ended: ${'exitCode' in exit ? `status ${exit.exitCode}` : `signal ${exit.signalName}`}`);
  context.reclaimConsole();
  return exit;
}
