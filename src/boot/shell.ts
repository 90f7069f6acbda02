// An interactive shell on the console with job control: its own session, the console as controlling terminal.
import { existsSync } from 'node:fs';
import { O_RDWR } from '../sys/fd';
import type { ChildExit } from '../sys/index';
import type { Children } from '../exec/children';
import type { Logger } from './log';
import { realConsole } from './console-device';

export interface ShellSpec {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** The console device the shell runs on, e.g. /dev/console or /dev/ttyS0. */
  console: string;
}

/** Whether a shell program exists here, so an emergency shell is worth offering. */
export function shellExists(path: string): boolean {
  return existsSync(path);
}

/** Runs the shell to its end and returns how it ended. */
export async function runShell(children: Children, log: Logger, spec: ShellSpec): Promise<ChildExit> {
  const device = realConsole(spec.console);
  log.info(`starting ${spec.argv.join(' ')} on ${device}`);
  // With setsid, glibc applies the new session before the file actions, so opening the console on fd 0
  // makes it the shell's controlling terminal; 1 and 2 are copies of 0.
  const child = children.spawn({
    path: spec.argv[0]!,
    argv: spec.argv,
    env: { TERM: 'linux', HOME: '/', PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
    cwd: '/',
    setsid: true,
    stdio: { in: { path: device, flags: O_RDWR }, out: 0, err: 0 },
  });
  const exit = await child.exited;
  log.info(`${spec.argv[0]} ended: ${'exitCode' in exit ? `status ${exit.exitCode}` : `signal ${exit.signalName}`}`);
  return exit;
}
