// The context every boot step handler receives.
import type { Config } from '../config/generated/config-types';
import type { CommandContext } from '../exec/handlers/hook';
import type { StepOutcome } from '../exec/run-steps';
import type { BootArguments } from './cmdline';

export interface BootContext extends CommandContext {
  config: Config;
  args: BootArguments;
  /** PID 1 of the machine (reboot(2) at the end) rather than of a PID namespace (exit instead). */
  machine: boolean;
  /** The console device, e.g. /dev/console or /dev/ttyS0. */
  console: string;
  /** Outcomes so far, for the boot report. */
  outcomes: StepOutcome[];
  /** Moves the log to a console device (closing the descriptor it used before). */
  logTo(device: string): void;
  /**
   * Takes the console again on fds 0-2 and for the log. A shell that led its own session hangs the
   * terminal up when it exits (the kernel's vhangup of a non-pty session), which kills every
   * descriptor open on it, PID 1's too.
   */
  reclaimConsole(): void;
}
