// The supervise handoff and `bootstrap supervise`: run the services, answer the control socket, forward
// signals, and end with an orderly shutdown (power action for a machine, exit status in a namespace).
import type { Config } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import type { startControlServer as StartControlServer } from '../ctl/server';
import type { Children } from '../exec/children';
import type { ServiceStatus } from '../supervisor/model';
import type { Sys } from '../sys/index';
import type { LogSink, Logger } from './log';
import { emergency } from './emergency';
import { keepMemoryFlat } from './flat-memory';
import { endRemainingProcesses, powerDown, type PowerAction } from './power-down';
import { bootSignalAction, onSignals, type HandledSignal } from './signals';

export interface SupervisorRun {
  config: Config;
  sys: Sys;
  log: Logger;
  children: Children;
  env: Record<string, string>;
  /** PID 1 of the machine: power actions at the end. */
  machine: boolean;
  /** PID 1 of a PID namespace (a container): kills what is left and exits with the main service's status. */
  pid1: boolean;
  console: string;
  reclaimConsole: () => void;
  /** Where the control socket listens. */
  socketPath?: string;
  /** Where services' `console` output goes (non-blocking). */
  consoleSink: LogSink;
}

// Signals that end a container's supervisor (after reaching the services), as they end tini's child.
const stopping = new Set<HandledSignal>(['SIGTERM', 'SIGINT', 'SIGPWR', 'SIGQUIT']);

/** Never returns: the end is a power action (machine) or process.exit (namespace or subreaper). */
export async function supervise(run: SupervisorRun): Promise<never> {
  const { sys, log, children, config } = run;
  const handoff = config.postSwitch.handoff;
  if (handoff.mode !== 'supervise') throw new Error(`supervise: the handoff mode is ${handoff.mode}`);
  if (!run.pid1) sys.becomeSubreaper();
  // Loaded on use: only supervising needs the network modules.
  const { createSupervisor } = await import('../supervisor/supervisor');
  const { startControlServer } = await import('../ctl/server');
  keepMemoryFlat();
  let finishing = false;
  let mainFailed = false;

  const finish = async (action: PowerAction, signal?: HandledSignal): Promise<void> => {
    if (finishing) return;
    finishing = true;
    log.info(`shutting down (${action}): stopping services in reverse dependency order${signal ? ` with ${signal}` : ''}`);
    await supervisor.shutdown(signal);
    await server?.close().catch(() => undefined);
    // A main service that never ran (its dependency failed, say) ends the container as a failure.
    const status = supervisor.mainExit?.status ?? (mainFailed ? 1 : 0);
    if (run.machine) {
      await powerDown({ sys, log, children, machine: true }, action);
      return;
    }
    if (run.pid1) await endRemainingProcesses(sys, log, children, parseDuration(handoff.shutdownTimeout));
    children.stop();
    log.info(`exiting with status ${status}${supervisor.mainExit ? ' (the main service\'s)' : ''}`);
    process.exit(status);
  };

  const supervisor = createSupervisor({
    handoff,
    env: run.env,
    sys,
    children,
    log,
    consoleSink: run.consoleSink,
    onEscalate: (action, service, reason) => {
      log.error(`service ${service} failed: ${reason}; onFailed: ${action}`);
      if (action === 'emergency') void emergency({ sys, log, children, machine: run.machine, console: run.console, env: run.env, config, reclaimConsole: run.reclaimConsole }, `service ${service} failed: ${reason}`);
      else void finish(action);
    },
    onMainExit: (exit) => {
      log.info(`the main service ended with status ${exit.status}`);
      void finish('poweroff');
    },
    onPowerOff: (action) => void finish(action),
    onStateChange: (status) => {
      if (status.main && status.state === 'failed' && !finishing) {
        mainFailed = true;
        log.error(`the main service ${status.name} failed${status.waitingFor ? ` waiting for ${status.waitingFor}` : ''}`);
        void finish('poweroff');
      }
    },
  });

  let server: Awaited<ReturnType<typeof StartControlServer>> | undefined;
  try {
    server = await startControlServer({ control: supervisor, log, ...(run.socketPath ? { path: run.socketPath } : {}) });
  } catch (error) {
    log.warn(`no control socket: ${(error as Error).message}`);
  }

  onSignals((signal) => {
    if (run.machine) {
      // A machine's PID 1 gives TERM, PWR, USR2, INT and USR1 the meaning they have during the boot.
      const action = bootSignalAction(signal);
      if (action === 'poweroff' || action === 'reboot') return void finish(action);
      if (action === 'status') return logStatus(supervisor.status(), log);
      return forward(signal, supervisor.status(), sys, log);
    }
    // In a container every signal reaches the services, as with tini: the stopping ones as the signal that
    // stops each service in reverse dependency order, the others forwarded to every service at once.
    if (stopping.has(signal)) void finish('poweroff', signal);
    else forward(signal, supervisor.status(), sys, log);
  });
  if (run.machine) {
    try {
      // Ctrl-Alt-Del then sends PID 1 SIGINT (an orderly reboot) instead of rebooting at once.
      sys.reboot('ctrlAltDelOff');
    } catch (error) {
      log.debug(`ctrl-alt-del off: ${(error as Error).message}`);
    }
  }
  supervisor.start();
  return new Promise<never>(() => undefined);
}

function forward(signal: HandledSignal, services: readonly ServiceStatus[], sys: Sys, log: Logger): void {
  for (const service of services) {
    if (service.pid === null) continue;
    try {
      // Each service leads its own process group (session): the signal reaches the whole service.
      sys.kill(-service.pid, signal);
    } catch (error) {
      log.debug(`forwarding ${signal} to ${service.name}: ${(error as Error).message}`);
    }
  }
}

function logStatus(services: readonly ServiceStatus[], log: Logger): void {
  for (const service of services) {
    log.info(`status: ${service.name} ${service.state}${service.pid ? ` pid ${service.pid}` : ''} starts ${service.starts}${service.lastExit ? ` last exit ${service.lastExit.status}` : ''}`);
  }
}
