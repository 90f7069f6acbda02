// What PID 1 does when it cannot go on: say why, then the configured emergency action. Never returns.
import type { Pid1 } from './runtime';
import { runShell, shellExists } from './shell';

let active = false;

/** Prints `reason`, then runs the config's emergency shell or shuts down with its power action (exit status 1). */
export async function emergency(runtime: Pid1, reason: string): Promise<never> {
  const { config } = runtime;
  const { log } = runtime;
  for (const line of reason.split('\n')) log.error(line);
  if (runtime.stopping) {
    // A failure while shutting down (a step that was running, a service): the shutdown goes on.
    return runtime.shutdown({ action: 'poweroff', reason: 'a failure during the shutdown', exitCode: 1 });
  }
  if (active) {
    // A failure inside the emergency path itself: do not start a second one.
    return runtime.shutdown({ action: 'poweroff', reason: 'a second failure during the emergency action', exitCode: 1 });
  }
  active = true;
  const shell = config?.emergency?.shell ?? '/bin/sh';
  const configured = config?.emergency?.action;
  const action = configured ?? (shellExists(shell) ? 'shell' : 'poweroff');
  if (action !== 'shell') return runtime.shutdown({ action, reason: 'the emergency action', exitCode: 1 });
  if (!shellExists(shell)) {
    return runtime.shutdown({ action: 'poweroff', reason: `the emergency shell ${shell} does not exist in this root`, exitCode: 1 });
  }
  log.error(`starting the emergency shell ${shell}; PID 1 powers off when it exits`);
  try {
    await runShell(runtime, [shell]);
  } catch (error) {
    log.error(`emergency shell: ${(error as Error).message}`);
  }
  return runtime.shutdown({ action: 'poweroff', reason: 'the emergency shell exited', exitCode: 1 });
}
