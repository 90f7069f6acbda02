// The context every boot step handler receives: the PID 1 runtime's parts, the config and the boot's record.
import type { Config } from '../config/generated/config-types';
import type { CommandContext } from '../exec/handlers/hook';
import type { NetworkContext } from '../exec/handlers/network';
import type { StepOutcome } from '../exec/run-steps';
import type { Pid1 } from '../pid1/runtime';
import type { BootArguments } from './cmdline';

export interface BootContext extends CommandContext, NetworkContext {
  runtime: Pid1;
  config: Config;
  args: BootArguments;
  /** Outcomes so far, for the boot report. */
  outcomes: StepOutcome[];
  /** Called once as the handoff begins. */
  onHandoff?: () => void;
  /** What steps left for after the handoff started (freeing the initramfs); the handoff step runs them. */
  afterHandoff: (() => void)[];
  /** How this boot was started: what a copy of it inside new namespaces is given. */
  launch: { configPath: string; cmdline: string };
  /** This boot runs inside namespaces its parent created for it (`__boot-in-namespaces`): it does not create them again. */
  insideNamespaces: boolean;
}
