// PID 1's signal handling: the kernel drops every signal to PID 1 that has no handler, so all get one at
// start, and what each does is decided by whoever runs now (the boot, then the supervisor).
import type { Logger } from '../log/log';

/** Every signal PID 1 handles (SIGCHLD belongs to the child reaper). */
export const handledSignals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPWR'] as const;
export type HandledSignal = (typeof handledSignals)[number];

let current: (signal: HandledSignal) => void = () => undefined;
let installed = false;

/** Installs one handler per signal, once; each calls the handler set last with `onSignals`. */
export function installSignalHandlers(log: () => Logger, unblockUsr1: () => void): void {
  if (installed) return;
  installed = true;
  for (const signal of handledSignals) {
    process.on(signal, () => {
      log().debug(`received ${signal}`);
      current(signal);
    });
  }
  // The executable runs with --disable-sigusr1 (no inspector ever); Node then leaves SIGUSR1 blocked.
  try {
    unblockUsr1();
  } catch (error) {
    log().warn(`cannot unblock SIGUSR1: ${(error as Error).message}`);
  }
}

/** Decides what the signals do from now on. */
export function onSignals(handler: (signal: HandledSignal) => void): void {
  current = handler;
}

/** What a signal does during the boot of a machine: TERM, PWR and USR2 power off, INT (Ctrl-Alt-Del) reboots. */
export function bootSignalAction(signal: HandledSignal): 'poweroff' | 'reboot' | 'status' | 'ignore' {
  switch (signal) {
    case 'SIGTERM':
    case 'SIGPWR':
    case 'SIGUSR2':
      return 'poweroff';
    case 'SIGINT':
      return 'reboot';
    case 'SIGUSR1':
      return 'status';
    default:
      // HUP also comes from PID 1 giving up its own terminal before each shell.
      return 'ignore';
  }
}
