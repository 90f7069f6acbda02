// The one PID 1 runtime: its role, log, console, child reaper, signal table and shutdown, whoever runs on it
// (the boot, the supervisor, later a subhost's init).
import { writeFileSync } from 'node:fs';
import type { Config, LogLevel } from '../config/generated/config-types';
import { createChildren, type Children } from '../exec/children';
import { traceSys } from '../exec/trace-sys';
import { openConsoleSink, openInheritedSink, type ConsoleSink } from '../log/console-sink';
import { createLogger, type Logger } from '../log/log';
import type { Sys } from '../sys/index';
import { realConsole } from './console-device';
import { emergency } from './emergency';
import { inheritedEnvironment } from './environment';
import type { Pid1Role } from './role';
import { runShutdown, type BackgroundTask, type ServiceStopper, type ShutdownRequest } from './shutdown';
import { installSignalHandlers, onSignals, type HandledSignal } from './signals';

/** Where the log goes for a role: a machine's init owns the console, any other logs to what it inherited. */
const INHERITED = '/proc/self/fd/2';

/** Shutdown's default grace between SIGTERM and SIGKILL, when no config says otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export interface Pid1 {
  readonly role: Pid1Role;
  readonly sys: Sys;
  readonly log: Logger;
  readonly children: Children;
  /** The environment children start from; `setEnv` steps add to it. */
  readonly env: Record<string, string>;
  /** The console device a machine's init logs to; the inherited standard error for other roles. */
  readonly console: string;
  /** Whether this role owns the console (the machine's init); others never touch the host's console. */
  readonly ownsConsole: boolean;
  /** Makes `device` the console: PID 1's controlling terminal on fds 0-2 and the log's device (machine only). */
  takeConsole(device: string): void;
  /** A non-blocking sink of its own on where the log goes now, for services' `console` output. */
  openOutput(): ConsoleSink;
  /** Moves the log to `device` (machine only). */
  logTo(device: string): void;
  /**
   * Takes the console again on fds 0-2 and for the log. A shell that led its own session hangs the
   * terminal up when it exits (the kernel's vhangup of a non-pty session), which kills every descriptor
   * open on it, PID 1's too. Nothing to do for roles that do not own the console.
   */
  reclaimConsole(): void;
  /** Decides what the handled signals do from now on. */
  onSignals(handler: (signal: HandledSignal) => void): void;
  /** Grace between SIGTERM and SIGKILL at shutdown. */
  shutdownTimeoutMs: number;
  /** The services to stop first at shutdown (the supervisor's), or none. */
  services: ServiceStopper | undefined;
  /** Work PID 1 does beside its handoff (DHCP renewal): stopped first at shutdown, each within a bound. */
  addBackgroundTask(task: BackgroundTask): void;
  /** The config being run, once valid: its emergency section decides what a failure does. */
  config: Config | undefined;
  /** What a failure does (the boot's emergency path by default); a bug in bootstrap comes here too. */
  fail: (reason: string) => Promise<never>;
  /** True once a shutdown began: nothing new may start (no step, no respawn, no emergency shell). */
  readonly stopping: boolean;
  /** The one way PID 1 ends. A second call while one runs is logged and waits for the first. */
  shutdown(request: ShutdownRequest): Promise<never>;
}

export interface Pid1Options {
  sys: Sys;
  role: Pid1Role;
  level: LogLevel;
  /** Lines logged before the runtime existed (e.g. early mounts), written first. */
  earlyLines?: readonly string[];
}

/** Starts the runtime: opens the log for the role, installs every signal handler, starts the reaper. */
export function startPid1(options: Pid1Options): Pid1 {
  const { role } = options;
  const ownsConsole = role === 'machine';
  let consoleDevice = ownsConsole ? '/dev/console' : INHERITED;
  let sink: ConsoleSink = ownsConsole ? openConsoleSink(consoleDevice) : openInheritedSink();
  for (const line of options.earlyLines ?? []) sink.write(line);
  const log = createLogger({ write: (text) => sink.write(text) }, options.level);
  nameProcess();
  // Every call into the kernel is logged at trace level, whoever makes it (steps, the supervisor, the shutdown).
  const sys = traceSys(options.sys, log);
  installSignalHandlers(() => log, () => sys.unblockSignals([10]));
  if (role === 'subreaper') {
    try {
      sys.becomeSubreaper();
    } catch (error) {
      log.warn(`cannot become the subreaper of this process's descendants: ${(error as Error).message}`);
    }
  }
  const children = createChildren(sys, log);
  let stopping: Promise<never> | undefined;
  const tasks: BackgroundTask[] = [];

  const logTo = (device: string): void => {
    if (!ownsConsole) return;
    consoleDevice = device;
    sink.close();
    sink = openConsoleSink(device);
  };
  const runtime: Pid1 = {
    role,
    sys,
    log,
    children,
    env: inheritedEnvironment(),
    get console() {
      return consoleDevice;
    },
    ownsConsole,
    takeConsole(device) {
      if (!ownsConsole) {
        log.info(`console ${device}: not taken (${role} init: the console belongs to the host); logging to the inherited output`);
        return;
      }
      // /dev/console itself cannot be a controlling terminal, so the real device behind it is taken.
      sys.takeConsole(realConsole(device), { controllingTerminal: true });
      logTo(device);
    },
    openOutput: () => (ownsConsole ? openConsoleSink(consoleDevice) : openInheritedSink()),
    logTo,
    reclaimConsole() {
      if (!ownsConsole) return;
      try {
        sys.takeConsole(realConsole(consoleDevice), { controllingTerminal: true });
      } catch (error) {
        log.debug(`taking the console again: ${(error as Error).message}`);
      }
      logTo(consoleDevice);
    },
    onSignals,
    shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS,
    services: undefined,
    addBackgroundTask: (task) => void tasks.push(task),
    config: undefined,
    fail: (reason) => emergency(runtime, reason),
    get stopping() {
      return stopping !== undefined;
    },
    shutdown(request) {
      if (stopping) {
        log.info(`${request.action} (${request.reason}): a shutdown is already under way`);
        return stopping;
      }
      stopping = runShutdown({ sys, log, children, role, timeoutMs: runtime.shutdownTimeoutMs, services: runtime.services, tasks }, request);
      return stopping;
    },
  };
  // A bug in bootstrap must not kill PID 1 (a machine's kernel would panic): report it and take the failure path.
  const bug = (error: unknown): void => void runtime.fail(`internal error (a bug in bootstrap): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.on('uncaughtException', bug);
  process.on('unhandledRejection', bug);
  return runtime;
}

// Node names its main thread "MainThread", which is what ps and /proc/PID/comm would show for PID 1.
function nameProcess(): void {
  try {
    writeFileSync('/proc/self/comm', 'bootstrap');
  } catch {
    // No /proc yet, or a kernel that refuses: the name is cosmetic.
  }
}
