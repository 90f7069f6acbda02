// The supervise handoff and `bootstrap supervise`: run the services on the PID 1 runtime, answer the control
// socket, forward signals; every end goes through the runtime's one shutdown.
import type { Config } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import { signalGroup } from '../exec/signal-group';
import type { LogSink, Logger } from '../log/log';
import type { ServiceStatus } from '../supervisor/model';
import type { Sys } from '../sys/index';
import { emergency } from './emergency';
import { startInitctl } from './initctl';
import { keepMemoryFlat } from './flat-memory';
import { startMemoryUpkeep } from './memory-upkeep';
import { holdUntilShutdown } from './hold';
import type { Pid1 } from './runtime';
import { bootSignalAction, type HandledSignal } from './signals';

export interface SuperviseOptions {
  config: Config;
  /** Where the control socket listens (default /run/bootstrap/control.sock). */
  socketPath?: string;
  /** Where services' `console` output goes (non-blocking). */
  consoleSink: LogSink;
  /** Take SysV init requests on this FIFO (postSwitch.initctl), once the services can be stopped; none when absent. */
  initctlPath?: string;
}

// Signals that end a container's supervisor (after reaching the services), as they end tini's child.
const stopping = new Set<HandledSignal>(['SIGTERM', 'SIGINT', 'SIGPWR', 'SIGQUIT']);

/** Never returns: the end is the runtime's shutdown (a power action on a machine, an exit otherwise). */
export async function supervise(runtime: Pid1, options: SuperviseOptions): Promise<never> {
  const { sys, log } = runtime;
  const { config } = options;
  runtime.config = config;
  const handoff = config.postSwitch.handoff;
  if (handoff.mode !== 'supervise') throw new Error(`supervise: the handoff mode is ${handoff.mode}`);
  // Loaded on use: only supervising needs the network modules.
  const { createSupervisor } = await import('../supervisor/supervisor');
  const { startControlServer } = await import('../ctl/server');
  keepMemoryFlat();
  let mainFailed = false;
  runtime.shutdownTimeoutMs = parseDuration(handoff.shutdownTimeout);

  const supervisor = createSupervisor({
    handoff,
    env: runtime.env,
    sys,
    children: runtime.children,
    log,
    consoleSink: options.consoleSink,
    onEscalate: (action, service, reason) => {
      const why = `service ${service} failed: ${reason}; onFailed: ${action}`;
      if (action === 'emergency') void emergency(runtime, why);
      else void runtime.shutdown({ action, reason: why });
    },
    onMainExit: (exit) => void runtime.shutdown({ action: 'poweroff', reason: `the main service ended with status ${exit.status}` }),
    onPowerOff: (action) => void runtime.shutdown({ action, reason: `${action} requested on the control socket` }),
    onStateChange: (status) => {
      if (status.main && status.state === 'failed' && !runtime.stopping) {
        mainFailed = true;
        void runtime.shutdown({ action: 'poweroff', reason: `the main service ${status.name} failed${status.waitingFor ? ` waiting for ${status.waitingFor}` : ''}` });
      }
    },
  });

  let server: Awaited<ReturnType<typeof startControlServer>> | undefined;
  runtime.services = {
    stop: async (signal) => {
      await supervisor.shutdown(signal);
      await server?.close().catch(() => undefined);
    },
    // A main service that never ran (its dependency failed, say) ends the container as a failure.
    exitStatus: () => supervisor.mainExit?.status ?? (mainFailed ? 1 : 0),
  };
  try {
    server = await startControlServer({ control: supervisor, log, ...(options.socketPath ? { path: options.socketPath } : {}) });
  } catch (error) {
    log.warn(`no control socket: ${(error as Error).message}`);
  }

  runtime.onSignals((signal) => {
    if (runtime.role === 'machine') {
      // A machine's PID 1 gives TERM, PWR, USR2, INT and USR1 the meaning they have during the boot.
      const action = bootSignalAction(signal);
      if (action === 'poweroff' || action === 'reboot') return void runtime.shutdown({ action, reason: `received ${signal}` });
      if (action === 'status') return logStatus(supervisor.status(), log);
      return forward(signal, supervisor.status(), sys, log);
    }
    // In a container every signal reaches the services, as with tini: the stopping ones as the signal that
    // stops each service in reverse dependency order, the others forwarded to every service at once.
    if (stopping.has(signal)) void runtime.shutdown({ action: 'poweroff', reason: `received ${signal}`, signal });
    else forward(signal, supervisor.status(), sys, log);
  });
  if (runtime.role === 'machine') {
    try {
      // Ctrl-Alt-Del then sends PID 1 SIGINT (an orderly reboot) instead of rebooting at once.
      sys.reboot('ctrlAltDelOff');
    } catch (error) {
      log.debug(`ctrl-alt-del off: ${(error as Error).message}`);
    }
  }
  // Only now: a runlevel 0 that came earlier would shut down before there were services to stop, then start them.
  if (options.initctlPath !== undefined) startInitctl(runtime, options.initctlPath);
  supervisor.start();
  startMemoryUpkeep({ activity: () => runtime.children.stats.childrenReaped + runtime.children.stats.orphansReaped, log });
  // With no main service nothing ends the supervisor but a signal or ctl: it holds after every service ended.
  return holdUntilShutdown();
}

function forward(signal: HandledSignal, services: readonly ServiceStatus[], sys: Sys, log: Logger): void {
  for (const service of services) {
    if (service.pid === null) continue;
    const problem = signalGroup(sys, service.pid, signal);
    if (problem) log.debug(`forwarding ${signal} to ${service.name}: ${problem}`);
  }
}

function logStatus(services: readonly ServiceStatus[], log: Logger): void {
  for (const service of services) {
    log.info(`status: ${service.name} ${service.state}${service.pid ? ` pid ${service.pid}` : ''} starts ${service.starts}${service.lastExit ? ` last exit ${service.lastExit.status}` : ''}`);
  }
}
