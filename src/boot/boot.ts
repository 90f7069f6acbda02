// The boot of PID 1, top to bottom: console, kernel arguments, config, plan, steps, handoff — or the emergency action.
import { readFileSync } from 'node:fs';
import type { Config, LogLevel } from '../config/generated/config-types';
import { validateConfigText } from '../config/validate-config';
import { createChildren, type Children } from '../exec/children';
import { abortSummary, runSteps } from '../exec/run-steps';
import { mountVirtual } from '../exec/handlers/mount';
import { parseModulesBuiltin, parseProcModules } from '../modules/modules-dep';
import { buildPlan, PlanError } from '../plan/build-plan';
import { virtualMounts } from '../plan/virtual-mounts';
import { realSys, type Sys } from '../sys/index';
import type { BootContext } from './boot-context';
import { parseCmdline, type BootArguments } from './cmdline';
import { openConsoleSink, type ConsoleSink } from './console-sink';
import { inheritedEnvironment } from './environment';
import { realConsole } from './console-device';
import { emergency, type EmergencyContext } from './emergency';
import { bootHandlers } from './handlers';
import { createLogger, type Logger } from './log';
import { powerDown } from './power-down';
import { writeReport } from './report';
import { runShell, shellExists } from './shell';
import { bootSignalAction, installSignalHandlers, onSignals } from './signals';
import { isMachineInit, kernelRelease as readKernelRelease } from './machine';

export interface BootOptions {
  /** PID 1 of the machine (reboot(2) at the end) or not (exit with a status); found out after /proc is mounted when absent. */
  machine?: boolean;
  /** A config path that wins over bootstrap.config= (`bootstrap boot --config`). */
  configPath?: string;
  /** The kernel command line to use instead of /proc/cmdline. */
  cmdline?: string;
  sys?: Sys;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Boots; never returns: ends in a handoff, a power action, or (not as the machine's init) an exit. */
export async function boot(options: BootOptions): Promise<never> {
  const sys = options.sys ?? realSys;
  let sink: ConsoleSink = openConsoleSink('/dev/console');
  // The log moves to a device (the configured console, or the same one reopened): the old descriptor goes,
  // and the device is the console from now on, for a shell and for the emergency path alike.
  const logTo = (device: string): void => {
    console = device;
    sink.close();
    sink = openConsoleSink(device);
  };
  const log: Logger = createLogger({ write: (text) => sink.write(text) }, 'info');
  let children: Children | undefined = undefined;
  let config: Config | undefined = undefined;
  const env = inheritedEnvironment();
  let console = '/dev/console';
  // Until /proc says otherwise, PID 1 assumes it is the machine's init: exiting there would panic the kernel.
  let machine = options.machine ?? process.pid === 1;
  // After a shell on the console exits, the kernel has hung the terminal up: open it afresh.
  const reclaimConsole = (): void => {
    try {
      sys.takeConsole(realConsole(console), { controllingTerminal: true });
    } catch (error) {
      log.debug(`taking the console again: ${(error as Error).message}`);
    }
    logTo(console);
  };
  const emergencyContext = (): EmergencyContext => ({ sys, log, children, machine, console, env, config, reclaimConsole });
  let failed = false;
  const fail = (reason: string): Promise<never> => {
    failed = true;
    return emergency(emergencyContext(), reason);
  };

  installSignalHandlers(() => log, () => sys.unblockSignals([10]));
  onSignals((signal) => {
    const action = bootSignalAction(signal);
    if (action === 'poweroff' || action === 'reboot') {
      log.info(`${signal}: ${action}`);
      void powerDown({ sys, log, children, machine }, action);
    } else if (action === 'status') {
      log.info(`status: booting, ${children?.running ?? 0} children running, ${log.dropped} log lines dropped`);
    }
  });
  // A bug in bootstrap must not kill PID 1 (the kernel would panic): report it and take the emergency path.
  process.on('uncaughtException', (error) => void fail(`internal error (a bug in bootstrap): ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => void fail(`internal error (a bug in bootstrap): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

  // /proc, /sys and /dev first: the kernel arguments, devices and the console live there.
  for (const mount of virtualMounts.slice(0, 3)) {
    try {
      mountVirtual({ kind: 'mountVirtual', phase: 'preSwitch', source: '', policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 }, ...mount }, { sys, log, env });
    } catch (error) {
      log.warn(`early mount of ${mount.target}: ${(error as Error).message}`);
    }
  }
  // Before /dev was mounted the console may not have opened; now it can.
  logTo('/dev/console');
  machine = options.machine ?? isMachineInit();
  log.info(`bootstrap starting as ${machine ? 'the init of this machine' : `pid ${process.pid} (not the machine's init)`}`);
  const args: BootArguments = parseCmdline(options.cmdline ?? readOptional('/proc/cmdline') ?? '');
  if (args.logLevel) log.level = args.logLevel;
  for (const warning of args.warnings) log.warn(warning);
  if (args.testFault) scheduleTestFault(args.testFault, log);

  const configPath = options.configPath ?? args.configPath;
  let text: Uint8Array;
  try {
    text = readFileSync(configPath);
  } catch (error) {
    return fail(`cannot read the config ${configPath}: ${(error as Error).message}\n  check: bootstrap.config= on the kernel command line, or pack the config with bootstrap pack --config`);
  }
  const validateStart = performance.now();
  const validation = validateConfigText(text);
  if (!validation.config) {
    const lines = validation.diagnostics.map((diagnostic) => `${configPath}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`);
    return fail(`the config is invalid:\n${lines.join('\n')}`);
  }
  config = validation.config;
  if (!args.logLevel) log.level = config.logLevel as LogLevel;
  log.debug(`config ${configPath} is valid (${(performance.now() - validateStart).toFixed(1)}ms)`);
  const planStart = performance.now();

  const kernelRelease = readKernelRelease();
  let steps;
  try {
    const builtin = readOptional(`/lib/modules/${kernelRelease}/modules.builtin`);
    const loaded = readOptional('/proc/modules');
    steps = buildPlan(config, {
      readFile: readOptional,
      kernelRelease,
      requireModulesDep: true,
      ...(builtin === undefined ? {} : { builtin: parseModulesBuiltin(builtin) }),
      ...(loaded === undefined ? {} : { loaded: parseProcModules(loaded) }),
    });
  } catch (error) {
    if (error instanceof PlanError) return fail(`cannot plan the boot: ${error.pointer}: ${error.message}`);
    throw error;
  }

  log.debug(`planned ${steps.length} steps (${(performance.now() - planStart).toFixed(1)}ms)`);
  children = createChildren(sys, log);
  const context: BootContext = {
    sys,
    log,
    env,
    children,
    config,
    args,
    machine,
    console,
    outcomes: [],
    logTo,
    reclaimConsole,
  };
  const breakShell = args.breakBefore && {
    phase: args.breakBefore,
    run: async () => {
      const shell = config?.emergency?.shell ?? '/bin/sh';
      if (!shellExists(shell) || !children) {
        log.error(`bootstrap.break: no shell at ${shell} in this root; continuing the boot`);
        return;
      }
      await runShell({ ...context, children }, [shell]);
    },
  };
  const result = await runSteps(steps, bootHandlers, context, {
    log,
    record: (outcome) => context.outcomes.push(outcome),
    stopped: () => failed,
    ...(breakShell ? { breakBefore: breakShell } : {}),
  });
  // The emergency path took over (a bug surfaced as an uncaught error): it ends the process, not us.
  if (result.stopped) return new Promise<never>(() => undefined);
  if (result.aborted) {
    const summary = abortSummary(result.aborted.step, result.aborted.outcome);
    const problem = writeReport({ result: 'aborted', atMs: performance.now(), steps: context.outcomes, abort: summary });
    if (problem) log.warn(problem);
    return fail(summary);
  }
  // Only a shell handoff returns here, after its onExit action; nothing else may end PID 1.
  return fail('the handoff ended unexpectedly');
}

// For the tests of the last-resort path only: a bug injected on purpose after start-up.
function scheduleTestFault(kind: 'uncaught' | 'rejection', log: Logger): void {
  log.warn(`bootstrap.test.fault=${kind}: injecting a bug on purpose`);
  setTimeout(() => {
    if (kind === 'uncaught') throw new Error('injected fault (bootstrap.test.fault=uncaught)');
    void Promise.reject(new Error('injected fault (bootstrap.test.fault=rejection)'));
  }, 0);
}
