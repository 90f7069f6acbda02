// The signals that end vm: TERM and HUP always; INT unless the command runs, when it is the command's (^C).
import { constants } from 'node:os';

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

const stopping: readonly StopSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** vm's handlers for the stopping signals, installed for one run. */
export interface StopSignals {
  /** Resolves with the first signal that stops vm. */
  readonly requested: Promise<StopSignal>;
  /** That signal, once it came: checked between the steps that start nothing to race against. */
  readonly received: StopSignal | undefined;
  /** Asked on SIGINT: true when it was passed to the guest's command, so vm goes on. */
  interrupt: (() => boolean) | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/** Installs the handlers: from now on these signals no longer kill vm outright, they stop it in order. */
export function watchStopSignals(): StopSignals {
  let received: StopSignal | undefined;
  let resolveStop: (signal: StopSignal) => void = () => undefined;
  const requested = new Promise<StopSignal>((resolve) => (resolveStop = resolve));
  const stop = (signal: StopSignal): void => {
    received ??= signal;
    resolveStop(signal);
  };
  const handlers = new Map<StopSignal, () => void>();
  const watch: StopSignals = {
    requested,
    get received() {
      return received;
    },
    interrupt: undefined,
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
  for (const signal of stopping) {
    const handler = (): void => {
      if (signal === 'SIGINT' && watch.interrupt?.() === true) return;
      stop(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return watch;
}

/** The shell's status for a process ended by `signal`: 128 + its number. */
export function signalStatus(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}
