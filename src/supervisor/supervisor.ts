// The built-in supervisor: starts services in dependency order, restarts them with backoff, probes them, routes their output, stops them in reverse.
import type { Logger, LogSink } from '../log/log';
import { startOrder, type Condition, type DependencyGraph } from '../config/dependency-graph';
import { formatDuration } from '../config/duration';
import type { SuperviseHandoff } from '../config/generated/config-types';
import type { Children } from '../exec/children';
import { signalGroup } from '../exec/signal-group';
import type { ChildExit, Sys } from '../sys/index';
import { UnknownServiceError, type ExitInfo, type ServiceState, type ServiceStatus, type SupervisorControl } from './model';
import { startProbe } from './probe';
import { admitStart, backoffDelay, shouldRestart } from './restart-policy';
import { createServiceOutput, type ServiceOutput } from './service-output';
import { serviceSettings, type ServiceSettings } from './service-settings';

/** How long a stop waits for a process after SIGKILL before going on without it. */
export const UNKILLABLE_GRACE_MS = 5000;

/** What createSupervisor takes; side effects beyond the Sys and the reaper come through the callbacks. */
export interface SupervisorOptions {
  handoff: SuperviseHandoff;
  /** The environment every service starts from; its own `environment` overrides. */
  env: Record<string, string>;
  sys: Sys;
  children: Children;
  log: Logger;
  /** Wall clock for status times (ms since the epoch); timers use setTimeout. */
  now?: () => number;
  /** A failed service whose onFailed is not `ignore`: the caller runs the action. */
  onEscalate: (action: 'emergency' | 'poweroff' | 'reboot', service: string, reason: string) => void;
  /** The main service ended by itself (not by stopService or shutdown); it is not restarted. */
  onMainExit?: (exit: ExitInfo) => void;
  /** powerOff() from the control socket: the caller shuts down and powers off or reboots. */
  onPowerOff?: (action: 'poweroff' | 'reboot') => void;
  /** Where `console` output goes (PID 1's: /dev/console, non-blocking, dropping what does not fit). */
  consoleSink: LogSink;
  /** Every state change, after it happened. */
  onStateChange?: (status: ServiceStatus) => void;
}

/** A running supervisor: the control operations, plus its start and its orderly end. */
export interface Supervisor extends SupervisorControl {
  /** Starts every service whose dependencies allow it; the others follow as their conditions are met. */
  start(): void;
  /**
   * Stops every service in reverse dependency order, each with its stopSignal (or `signal`, the one that asked
   * for the shutdown, as a container's init passes it on) and stopTimeout; nothing restarts after it is called.
   */
  shutdown(signal?: NodeJS.Signals): Promise<void>;
  /** How the main service last ended, or null (no main service, or it has not ended). */
  readonly mainExit: ExitInfo | null;
}

interface Service {
  settings: ServiceSettings;
  state: ServiceState;
  since: number;
  pid: number | null;
  starts: number;
  lastExit: ExitInfo | null;
  waitingFor: string | null;
  /** A process of it was spawned once: what `started` conditions look at (a failed spawn is a start attempt, not a start). */
  everSpawned: boolean;
  /** Its readiness passed once (or it was spawned without a readiness probe). */
  everReady: boolean;
  /** Its last exit when it will not be restarted: what `completed` conditions look at. */
  final: ExitInfo | null;
  startTimes: number[];
  /** Restarts in a row so far: the backoff exponent. */
  attempt: number;
  spawnedAt: number;
  /** Stopped on request (stopService or shutdown): stays down until startService. */
  stopRequested: boolean;
  killedForLiveness: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
  stopProbes: (() => void)[];
  /** Settles when the current process has ended and its end has been handled. */
  ended: Promise<void>;
  output: ServiceOutput;
}

/** The status of a process that ended: its code, or 128+signal as shells report it. */
function exitInfo(exit: ChildExit, at: number): ExitInfo {
  if ('exitCode' in exit) return { code: exit.exitCode, signal: null, status: exit.exitCode, at };
  return { code: null, signal: exit.signalName, status: 128 + exit.signal, at };
}

// The status of a service whose program could not be started, as a shell reports "command not found".
const SPAWN_FAILED_STATUS = 127;

function describeExit(info: ExitInfo): string {
  return info.signal === null ? `exited with status ${info.status}` : `was killed by ${info.signal} (status ${info.status})`;
}

/**
 * Creates the supervisor of `handoff.processes`. Nothing starts before start(). The main service is
 * never restarted: when it ends by itself, onMainExit gets its exit and the caller shuts down and
 * exits with its status, as tini does (a restarting main would make "the container's exit code" moot).
 */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { sys, children, log } = options;
  const now = options.now ?? Date.now;
  const { consoleSink } = options;
  const services = new Map<string, Service>();
  for (const [name, process] of Object.entries(options.handoff.processes)) {
    const settings = serviceSettings(name, process, options.env);
    services.set(name, {
      settings,
      state: 'waiting',
      since: now(),
      pid: null,
      starts: 0,
      lastExit: null,
      waitingFor: null,
      everSpawned: false,
      everReady: false,
      final: null,
      startTimes: [],
      attempt: 0,
      spawnedAt: 0,
      stopRequested: false,
      killedForLiveness: false,
      restartTimer: undefined,
      killTimer: undefined,
      stopProbes: [],
      ended: Promise.resolve(),
      output: createServiceOutput(name, settings, sys, consoleSink, (message) => log.warn(message)),
    });
  }
  const graph: DependencyGraph = new Map([...services].map(([name, service]) => [name, [...service.settings.dependsOn.keys()]]));
  const order = startOrder(graph);
  let started = false;
  let shuttingDown = false;
  let shutdownDone: Promise<void> | null = null;
  let shutdownSignal: NodeJS.Signals | undefined;
  const mainService = [...services.values()].find((service) => service.settings.main);

  const statusOf = (service: Service): ServiceStatus => ({
    name: service.settings.name,
    type: service.settings.type,
    main: service.settings.main,
    state: service.state,
    pid: service.pid,
    starts: service.starts,
    restarts: Math.max(0, service.starts - 1),
    lastExit: service.lastExit,
    since: service.since,
    waitingFor: service.state === 'waiting' ? service.waitingFor : null,
  });

  const setState = (service: Service, state: ServiceState): void => {
    service.state = state;
    service.since = now();
    options.onStateChange?.(statusOf(service));
  };

  const find = (name: string): Service => {
    const service = services.get(name);
    if (service === undefined) throw new UnknownServiceError(name, [...services.keys()]);
    return service;
  };

  // A group already gone (ESRCH) is what stopping wanted.
  const signalService = (service: Service, signal: NodeJS.Signals): void => {
    if (service.pid !== null) signalGroup(sys, service.pid, signal);
  };

  /** stopSignal to the group now, SIGKILL stopTimeout later unless it ended before. */
  const terminate = (service: Service): void => {
    const signal = shutdownSignal ?? service.settings.stopSignal;
    signalService(service, signal);
    clearTimeout(service.killTimer);
    service.killTimer = setTimeout(() => {
      log.warn(`${service.settings.name} did not stop within ${formatDuration(service.settings.stopTimeoutMs)} of ${signal}: SIGKILL`);
      signalService(service, 'SIGKILL');
    }, service.settings.stopTimeoutMs);
  };

  const fail = (service: Service, reason: string): void => {
    log.error(`${service.settings.name} failed: ${reason}`);
    setState(service, 'failed');
    const action = service.settings.onFailed;
    if (action !== 'ignore') options.onEscalate(action, service.settings.name, reason);
    evaluate();
  };

  const stopProbes = (service: Service): void => {
    for (const stop of service.stopProbes) stop();
    service.stopProbes = [];
  };

  const startProbes = (service: Service): void => {
    const { readiness, liveness, env, cwd } = service.settings;
    const context = { children, sys, env, cwd };
    if (readiness) {
      const stop = startProbe(readiness, context, (passed) => {
        if (!passed) return;
        stop();
        service.everReady = true;
        if (service.state === 'running') setState(service, 'ready');
        evaluate();
      });
      service.stopProbes.push(stop);
    }
    if (liveness) {
      let failures = 0;
      service.stopProbes.push(
        startProbe(liveness, context, (passed) => {
          failures = passed ? 0 : failures + 1;
          if (failures < liveness.failureThreshold || service.pid === null) return;
          log.warn(`${service.settings.name}: liveness failed ${failures} times in a row; stopping it with ${service.settings.stopSignal}`);
          stopProbes(service);
          service.killedForLiveness = true;
          terminate(service);
        }),
      );
    }
  };

  const launch = (service: Service): void => {
    const { settings } = service;
    clearTimeout(service.restartTimer);
    service.restartTimer = undefined;
    if (shuttingDown) return setState(service, 'stopped');
    if (settings.unsupported !== null) return fail(service, settings.unsupported);
    if (!admitStart(service.startTimes, now(), settings.startLimit)) {
      return fail(service, `start limit hit: ${settings.startLimit.count} starts within ${formatDuration(settings.startLimit.intervalMs)}`);
    }
    service.starts++;
    service.spawnedAt = now();
    service.killedForLiveness = false;
    let handle;
    try {
      handle = children.spawn({ path: settings.path, argv: settings.argv, env: settings.env, cwd: settings.cwd, setsid: true, stdio: { in: 'null', ...service.output.stdio() } });
    } catch (error) {
      // A start that ended at once: it takes the way of an exit (backoff, start limit, onFailed) now.
      // Deferred, it left the service 'waiting', and every start of another service in between
      // re-launched it without backoff, spending its start limit within milliseconds.
      const info: ExitInfo = { code: SPAWN_FAILED_STATUS, signal: null, status: SPAWN_FAILED_STATUS, at: now() };
      service.ended = Promise.resolve();
      ended(service, info, `could not be started (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    service.everSpawned = true;
    service.pid = handle.pid;
    log.info(`${settings.name} started (pid ${handle.pid}${service.starts > 1 ? `, restart ${service.starts - 1}` : ''})`);
    service.everReady ||= settings.readiness === null;
    setState(service, settings.readiness === null && settings.type === 'longrun' ? 'ready' : 'running');
    service.ended = handle.exited.then((exit) => ended(service, exitInfo(exit, now())));
    startProbes(service);
    evaluate();
  };

  /** The current process ended with `info` (`how`, in words, when it is not a plain exit or kill). */
  const ended = (service: Service, info: ExitInfo, how = describeExit(info)): void => {
    const { settings } = service;
    stopProbes(service);
    clearTimeout(service.killTimer);
    service.killTimer = undefined;
    service.pid = null;
    service.lastExit = info;
    if (service.stopRequested || shuttingDown) {
      log.info(`${settings.name} stopped: ${how}`);
      service.final = info;
      setState(service, 'stopped');
    } else if (settings.main) {
      log.info(`${settings.name} (main) ${how}`);
      service.final = info;
      setState(service, settings.type === 'oneshot' && info.status === 0 ? 'completed' : 'stopped');
      options.onMainExit?.(info);
    } else if (shouldRestart(settings.restart, service.killedForLiveness ? Math.max(info.status, 1) : info.status)) {
      // A service that stayed up for the longest backoff is over its crash loop: start counting again.
      if (info.at - service.spawnedAt >= settings.backoff.maxMs) service.attempt = 0;
      const delay = backoffDelay(settings.backoff, service.attempt++);
      log.warn(`${settings.name} ${how}; restarting in ${formatDuration(delay)}`);
      setState(service, 'backoff');
      service.restartTimer = setTimeout(() => launch(service), delay);
    } else {
      service.final = info;
      if (settings.type === 'oneshot' && info.status === 0) {
        log.info(`${settings.name} completed`);
        setState(service, 'completed');
      } else if (settings.type === 'oneshot') fail(service, how);
      else {
        log.warn(`${settings.name} ${how}; not restarted (restart: ${settings.restart})`);
        setState(service, 'stopped');
      }
    }
    evaluate();
  };

  /** Whether `dependency` has reached `condition`: 'met', still 'pending', or 'never' will. */
  const conditionState = (dependency: Service, condition: Condition): 'met' | 'pending' | 'never' => {
    const { final } = dependency;
    const over = dependency.state === 'failed' || (dependency.state === 'stopped' && dependency.pid === null);
    switch (condition) {
      case 'started':
        return dependency.everSpawned ? 'met' : over ? 'never' : 'pending';
      case 'ready':
        return dependency.everReady ? 'met' : over || final !== null ? 'never' : 'pending';
      case 'completed':
        return final !== null ? 'met' : over ? 'never' : 'pending';
      case 'completedSuccessfully':
        if (final !== null) return final.status === 0 ? 'met' : 'never';
        return over ? 'never' : 'pending';
    }
  };

  const wordsFor: Record<Condition, string> = { started: 'to be started', ready: 'to be ready', completed: 'to complete', completedSuccessfully: 'to complete successfully' };
  let evaluating = false;
  let again = false;

  /** Starts each waiting service whose conditions are all met, and fails those whose conditions never will be. */
  const evaluate = (): void => {
    if (!started || shuttingDown) return;
    if (evaluating) {
      again = true;
      return;
    }
    evaluating = true;
    try {
      do {
        again = false;
        for (const name of order) {
          const service = services.get(name)!;
          if (service.state !== 'waiting') continue;
          const pending: string[] = [];
          let never: string | undefined;
          for (const [dependencyName, condition] of service.settings.dependsOn) {
            const dependency = services.get(dependencyName);
            const state = dependency === undefined ? 'never' : conditionState(dependency, condition);
            if (state === 'never') never ??= dependency === undefined ? `depends on unknown service ${dependencyName}` : `dependency ${dependencyName} (${dependency.state}${dependency.final ? `, status ${dependency.final.status}` : ''}) will never be ${condition}`;
            else if (state === 'pending') pending.push(`${dependencyName} ${wordsFor[condition]}`);
          }
          if (never !== undefined) fail(service, never);
          else if (pending.length === 0) launch(service);
          else service.waitingFor = pending.join(', ');
        }
      } while (again);
    } finally {
      evaluating = false;
    }
  };

  const stopService = async (name: string): Promise<void> => {
    const service = find(name);
    service.stopRequested = true;
    if (service.restartTimer !== undefined || service.state === 'waiting') {
      clearTimeout(service.restartTimer);
      service.restartTimer = undefined;
      setState(service, 'stopped');
      return;
    }
    if (service.pid === null) return service.ended;
    if (service.state !== 'stopping') {
      stopProbes(service);
      setState(service, 'stopping');
      terminate(service);
    }
    return endedOrGivenUp(service);
  };

  /**
   * The service's end, or giving up on it UNKILLABLE_GRACE_MS after its SIGKILL: a process in uninterruptible
   * sleep (a dead network share) outlives SIGKILL, and a stop or a shutdown must not wait for it for ever.
   */
  const endedOrGivenUp = (service: Service): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.error(`${service.settings.name} (pid ${String(service.pid)}) did not end ${formatDuration(UNKILLABLE_GRACE_MS)} after SIGKILL (uninterruptible sleep?): going on without it`);
        resolve();
      }, service.settings.stopTimeoutMs + UNKILLABLE_GRACE_MS);
    });
    return Promise.race([service.ended, givenUp]).finally(() => clearTimeout(timer));
  };

  const startService = (name: string): void => {
    const service = find(name);
    if (shuttingDown) throw new Error(`cannot start ${name}: the supervisor is shutting down`);
    if (service.pid !== null) return;
    service.stopRequested = false;
    service.startTimes = [];
    service.attempt = 0;
    service.final = null;
    launch(service);
  };

  const shutdown = (signal?: NodeJS.Signals): Promise<void> => {
    shuttingDown = true;
    shutdownSignal ??= signal;
    shutdownDone ??= (async () => {
      log.info('stopping all services');
      // Nothing waiting or in backoff may start while the others stop.
      for (const service of services.values()) if (service.pid === null && (service.state === 'waiting' || service.state === 'backoff')) void stopService(service.settings.name);
      const dependents = new Map<string, string[]>([...services.keys()].map((name) => [name, []]));
      for (const [name, needs] of graph) for (const need of needs) dependents.get(need)?.push(name);
      const stopped = new Map<string, Promise<void>>();
      // Reverse start order: every dependent's promise exists before what it depends on asks for it.
      for (const name of [...order].reverse()) {
        const after = (dependents.get(name) ?? []).flatMap((dependent) => stopped.get(dependent) ?? []);
        stopped.set(
          name,
          Promise.all(after).then(() => stopService(name)),
        );
      }
      await Promise.all(stopped.values());
      await Promise.all([...services.values()].map((service) => service.output.close()));
      log.info('all services stopped');
    })();
    return shutdownDone;
  };

  return {
    start() {
      if (started) return;
      started = true;
      evaluate();
    },
    shutdown,
    get mainExit() {
      // lint allows one main service at most; its last exit is the container's status.
      return mainService?.lastExit ?? null;
    },
    status: () => order.map((name) => statusOf(services.get(name)!)),
    startService,
    stopService,
    async restartService(name) {
      await stopService(name);
      startService(name);
    },
    logs: (name, lines) => find(name).output.lines(lines),
    followLogs: (name, listener) => find(name).output.follow(listener),
    powerOff(action) {
      if (options.onPowerOff) options.onPowerOff(action);
      else log.warn(`${action} asked for, but this supervisor has no power action`);
    },
  };
}
