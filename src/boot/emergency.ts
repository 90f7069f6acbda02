// What PID 1 does when the boot cannot go on: say why, then the configured emergency action. Never returns.
import type { Config } from '../config/generated/config-types';
import type { Children } from '../exec/children';
import type { Sys } from '../sys/index';
import type { Logger } from './log';
import { powerDown } from './power-down';
import { runShell, shellExists } from './shell';

export interface EmergencyContext {
  sys: Sys;
  log: Logger;
  children: Children | undefined;
  machine: boolean;
  console: string;
  env: Record<string, string>;
  config: Config | undefined;
  /** Opens the console afresh after a shell on it exited (see BootContext.reclaimConsole). */
  reclaimConsole: () => void;
}

let active = false;

/** Prints `reason`, then runs the emergency shell or powers off / reboots / halts. */
export async function emergency(context: EmergencyContext, reason: string): Promise<never> {
  const { log } = context;
  for (const line of reason.split('\n')) log.error(line);
  if (active) {
    // A failure inside the emergency path itself: do not start a second one.
    log.error('a second failure during the emergency action; powering off');
    return powerDown(context, 'poweroff', 1);
  }
  active = true;
  const shell = context.config?.emergency?.shell ?? '/bin/sh';
  const configured = context.config?.emergency?.action;
  const action = configured ?? (shellExists(shell) ? 'shell' : 'poweroff');
  if (action !== 'shell') return powerDown(context, action, 1);
  const children = context.children;
  if (!children || !shellExists(shell)) {
    log.error(`emergency shell ${shell} does not exist in this root; powering off`);
    return powerDown(context, 'poweroff', 1);
  }
  log.error(`starting the emergency shell ${shell}; the machine powers off when it exits`);
  try {
    await runShell({ ...context, children }, [shell]);
  } catch (error) {
    log.error(`emergency shell: ${(error as Error).message}`);
  }
  return powerDown(context, 'poweroff', 1);
}
