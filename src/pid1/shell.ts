// An interactive shell lent PID 1's terminal: with job control on a machine's console, on inherited stdio otherwise.
import { existsSync } from 'node:fs';
import { waitUntil } from '../exec/wait-until';
import { O_RDWR } from '../sys/fd';
import type { ChildExit } from '../sys/index';
import { realConsole } from './console-device';
import type { Pid1 } from './runtime';

/** What a shell borrows from PID 1. */
export type ShellHost = Pick<Pid1, 'sys' | 'children' | 'log' | 'env' | 'console' | 'ownsConsole' | 'reclaimConsole'>;

/** How long a shell handoff waits for its `terminal` to appear: a virtio console's port is added after its driver loads. */
export const TERMINAL_WAIT_MS = 10_000;

/** Resolves once `device` exists; rejects after TERMINAL_WAIT_MS with what to check. */
export async function waitForTerminal(device: string, timeoutMs = TERMINAL_WAIT_MS): Promise<void> {
  await waitUntil(
    () => (existsSync(device) ? true : undefined),
    { timeoutMs },
    () => new Error(`the shell handoff's terminal ${device} did not appear within ${timeoutMs}ms; is its driver loaded (virtio_console for hvc0) and the device given to the machine?`),
  );
}

/** Whether a shell program exists here, so an emergency shell is worth offering. */
export function shellExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Runs a shell to its end and returns how it ended. On a machine PID 1 gives the console up first, the
 * shell takes it as its controlling terminal in a session of its own, and PID 1 takes it back afterwards;
 * with `terminal` (another device) the shell takes that one and PID 1 keeps the console.
 * Any other init never touches the host's console: the shell gets the standard streams PID 1 inherited.
 */
export async function runShell(host: ShellHost, argv: readonly string[], terminal?: string): Promise<ChildExit> {
  const { sys, children, log } = host;
  let exit: ChildExit;
  if (host.ownsConsole) {
    if (terminal === undefined) {
      try {
        sys.releaseControllingTerminal();
      } catch {
        // PID 1 held no terminal.
      }
    }
    const device = terminal ?? realConsole(host.console);
    log.info(`starting ${argv.join(' ')} on ${device}`);
    // With setsid, glibc applies the new session before the file actions, so opening the console on fd 0
    // makes it the shell's controlling terminal; 1 and 2 are copies of 0.
    const child = children.spawn({ path: argv[0]!, argv, env: host.env, cwd: '/', setsid: true, stdio: { in: { path: device, flags: O_RDWR }, out: 0, err: 0 } });
    exit = await child.exited;
  } else {
    log.info(`starting ${argv.join(' ')} on the inherited standard streams${terminal === undefined ? '' : ` (terminal ${terminal} is the host's)`}`);
    const child = children.spawn({ path: argv[0]!, argv, env: host.env, cwd: '/', stdio: { in: 'inherit', out: 'inherit', err: 'inherit' } });
    exit = await child.exited;
  }
  log.info(`${argv[0]} ended: ${'exitCode' in exit ? `status ${exit.exitCode}` : `signal ${exit.signalName}`}`);
  host.reclaimConsole();
  return exit;
}
