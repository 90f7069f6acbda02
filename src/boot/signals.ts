// PID 1's signal handling: the kernel drops every signal to PID 1 that has no handler, so all get one first.
import type { Logger } from './log';

export type SignalAction = 'poweroff' | 'reboot' | 'status' | 'ignore';

/** What each signal asks of PID 1 during boot (the supervisor refines this later). */
export const signalActions: Record<string, SignalAction> = {
  SIGTERM: 'poweroff',
  SIGPWR: 'poweroff',
  // Ctrl-Alt-Del once CAD is off in the kernel.
  SIGINT: 'reboot',
  SIGUSR1: 'status',
  SIGUSR2: 'poweroff',
  SIGHUP: 'ignore',
  SIGQUIT: 'ignore',
};

/** Installs a handler for every signal above; `act` decides what happens. */
export function installSignalHandlers(log: () => Logger, act: (action: SignalAction, signal: string) => void): void {
  for (const [signal, action] of Object.entries(signalActions)) {
    process.on(signal as NodeJS.Signals, () => {
      // HUP also comes from PID 1 giving up its own terminal before each shell: not news.
      if (action === 'ignore') log().debug(`received ${signal}: ignored`);
      else log().info(`received ${signal}`);
      act(action, signal);
    });
  }
}
