// The boot of PID 1, top to bottom: early mounts, the runtime, kernel arguments, config, plan, steps, handoff —
// or the emergency action.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config, LogLevel } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import { readConfigFile } from '../config/read-config-file';
import { mountVirtual } from '../exec/handlers/mount';
import { abortSummary, runSteps } from '../exec/run-steps';
import { createLogger, type Logger } from '../log/log';
import { emergency } from '../pid1/emergency';
import { interpretDuringBoot } from '../pid1/interpreted-boot';
import { detectRole, type Pid1Role } from '../pid1/role';
import { startPid1, type Pid1 } from '../pid1/runtime';
import { runShell, shellExists } from '../pid1/shell';
import { bootSignalAction, type HandledSignal } from '../pid1/signals';
import { PlanError } from '../plan/build-plan';
import { planWith, preparedSteps, PREPARED_BOOT_PATH, type PlanInputs, type PreparedBoot, type PreparedPlan } from '../plan/prepared-boot';
import type { Step } from '../plan/step';
import { virtualMounts } from '../plan/virtual-mounts';
import { kernelRelease as readKernelRelease } from '../probe/kernel-release';
import { readOptional } from '../probe/read-optional';
import { realSys, type Sys } from '../sys/index';
import { koffiOrigin } from '../sys/koffi';
import type { BootContext } from './boot-context';
import { parseCmdline, type BootArguments } from './cmdline';
import { bootHandlers } from './handlers';
import { isPreparedConfig, readPreparedBoot } from './prepared';
import { writeReport } from './report';
import { emptyNetworkRecord } from '../exec/network-record';
import { networkFromIp } from '../net/ip-network';
import { rootWithoutNetwork } from '../plan/network-plan';
import { nowMs } from '../clock';

export interface BootOptions {
  /** The role, when the caller knows it; found out after /proc is mounted when absent. */
  role?: Pid1Role;
  /** A config path that wins over bootstrap.config= (`bootstrap boot --config`). */
  configPath?: string;
  /** The kernel command line to use instead of /proc/cmdline. */
  cmdline?: string;
  /** A config read and validated already (a subhost's, passed by `subhost start`); no file is read then. */
  config?: Config;
  /** Called once the handoff begins, before it runs (a subhost tells `subhost start` that it is up). */
  onHandoff?: () => void;
  /** Signals PID 1 leaves alone (a subhost's shell on the user's terminal: Ctrl-C is the shell's, not a reboot). */
  ignoredSignals?: readonly HandledSignal[];
  /** Runs inside namespaces a parent boot created for it (`__boot-in-namespaces`). */
  insideNamespaces?: boolean;
  sys?: Sys;
}

/** Boots; never returns: ends in a handoff, or in the runtime's shutdown. */
export async function boot(options: BootOptions): Promise<never> {
  const sys = options.sys ?? realSys;
  // Only a real boot: a boot on a fake system is a test inside a test runner, whose own code must stay compiled.
  const realBoot = options.sys === undefined;
  const interpretProblem = realBoot ? interpretDuringBoot() : undefined;
  // The role is known only once /proc is mounted.
  const earlyLines = mountEarly(sys);
  const runtime = startPid1({ sys, role: options.role ?? detectRole(), level: 'info', earlyLines });
  const { log } = runtime;
  let failed = false;
  // The emergency path also stops the step run: no step may start after it began.
  const fail = (reason: string): Promise<never> => {
    failed = true;
    return emergency(runtime, reason);
  };
  runtime.fail = fail;
  runtime.onSignals((signal) => {
    if (options.ignoredSignals?.includes(signal)) return log.debug(`${signal} left to the terminal's foreground processes`);
    const action = bootSignalAction(signal);
    if (action === 'poweroff' || action === 'reboot') void runtime.shutdown({ action, reason: `received ${signal}` });
    else if (action === 'status') log.info(`status: booting, ${runtime.children.running} children running, ${log.dropped} log lines dropped`);
  });

  log.info(`bootstrap starting as ${describeRole(runtime)}`);
  if (interpretProblem !== undefined) log.warn(interpretProblem);
  const cmdline = options.cmdline ?? readOptional('/proc/cmdline') ?? '';
  const args: BootArguments = parseCmdline(cmdline);
  if (args.logLevel) log.level = args.logLevel;
  for (const warning of args.warnings) log.warn(warning);
  if (args.testFault) scheduleTestFault(args.testFault, runtime);

  const configPath = options.configPath ?? args.configPath;
  // What `bootstrap pack` worked out ahead (a subhost's config comes validated already).
  const prepared = options.config ? 'the config came validated' : readPreparedBoot();
  // Said once the config's log level applies.
  const notes = typeof prepared === 'string' ? [`no prepared boot: ${prepared}`] : [];
  const config = options.config ?? (await readValidConfig(configPath, typeof prepared === 'string' ? undefined : prepared, notes));
  if (typeof config === 'string') return fail(config);
  runtime.config = config;
  if (!args.logLevel) log.level = config.logLevel as LogLevel;
  for (const note of notes) log.debug(note);
  if (realBoot) {
    log.debug(`FFI addon: from ${koffiOrigin()}`);
    if (interpretProblem === undefined) log.debug('V8 interprets the boot (its compilers return at the handoff)');
  }
  const handoff = config.postSwitch.handoff;
  if (handoff.mode === 'supervise') runtime.shutdownTimeoutMs = parseDuration(handoff.shutdownTimeout);

  if (args.ip) log.info(`kernel argument ip= configures ${args.ip.device} in place of network.ethernets`);
  const planStart = nowMs();
  let steps;
  try {
    const booted = args.ip ? { ...config, network: networkFromIp(args.ip, config.network) } : config;
    const unreachable = rootWithoutNetwork(booted);
    if (unreachable !== undefined) return fail(`cannot plan the boot: /switchRoot/rootFileSystem: ${unreachable}`);
    // A plan prepared for the config is for the config alone: not for one the ip= argument changed.
    const preparedPlan = typeof prepared !== 'string' && booted === config && config === prepared.config ? prepared.plan : undefined;
    steps = planBoot(booted, preparedPlan, log);
  } catch (error) {
    if (error instanceof PlanError) return fail(`cannot plan the boot: ${error.pointer}: ${error.message}`);
    throw error;
  }
  log.debug(`planned ${steps.length} steps (${(nowMs() - planStart).toFixed(1)}ms)`);

  const context: BootContext = {
    runtime,
    sys: runtime.sys,
    log,
    env: runtime.env,
    children: runtime.children,
    config,
    args,
    outcomes: [],
    network: emptyNetworkRecord(),
    launch: { configPath: resolve(configPath), cmdline },
    afterHandoff: [],
    insideNamespaces: options.insideNamespaces === true,
    ...(options.onHandoff ? { onHandoff: options.onHandoff } : {}),
  };
  // A boot that hands over to a copy of itself in new namespaces runs no phase itself: the copy takes the break.
  const handsOver = (config.namespaces ?? []).length > 0 && options.insideNamespaces !== true;
  const breakShell = !handsOver && args.breakBefore && {
    phase: args.breakBefore,
    run: async () => {
      const shell = config.emergency?.shell ?? '/bin/sh';
      if (!shellExists(shell)) {
        log.error(`bootstrap.break: no shell at ${shell} in this root; continuing the boot`);
        return;
      }
      await runShell(runtime, [shell]);
    },
  };
  const result = await runSteps(steps, bootHandlers, context, {
    log,
    record: (outcome) => context.outcomes.push(outcome),
    // A shutdown (a signal) or the emergency path took over: no step may run after it began.
    stopped: () => failed || runtime.stopping,
    ...(breakShell ? { breakBefore: breakShell } : {}),
  });
  // Whoever stopped the run ends the process, not us.
  if (result.stopped) return new Promise<never>(() => undefined);
  if (result.aborted) {
    // What waited for the handoff (freeing the initramfs) is done now: the emergency path needs no initramfs.
    for (const task of context.afterHandoff.splice(0)) task();
    const summary = abortSummary(result.aborted.step, result.aborted.outcome);
    const problem = writeReport({ result: 'aborted', atMs: nowMs(), steps: context.outcomes, abort: summary });
    if (problem) log.warn(problem);
    return fail(summary);
  }
  // Only a shell handoff returns here, after its onExit action; nothing else may end PID 1.
  return fail('the handoff ended unexpectedly');
}

// The config at `path`, valid, or what is wrong with it as the emergency path's reason. The prepared config stands
// for validation when its text is the file's; the validation's code is loaded only when it does not.
async function readValidConfig(path: string, prepared: PreparedBoot | undefined, notes: string[]): Promise<Config | string> {
  const read = readConfigFile(path);
  if (!read.ok) return `${read.error.message}\n  check: bootstrap.config= on the kernel command line, or pack the config with bootstrap pack --config`;
  if (prepared !== undefined) {
    if (isPreparedConfig(prepared, read.bytes)) {
      notes.push(`config ${path}: as bootstrap pack validated it (${PREPARED_BOOT_PATH})`);
      return prepared.config;
    }
    notes.push(`config ${path}: not the one prepared in ${PREPARED_BOOT_PATH}; validating it`);
  }
  const { validateConfigText } = await import('../config/validate-config');
  const validation = validateConfigText(read.bytes);
  if (validation.config) return validation.config;
  const { diagnosticsText } = await import('../config/format-diagnostics');
  return `the config is invalid:\n${diagnosticsText(path, false, validation.diagnostics, validation.omitted).trimEnd()}`;
}

// /proc, /sys and /dev first: the role, the kernel arguments, devices and the console live there. Returns what
// went wrong as log lines, for the log that opens once the role is known.
function mountEarly(sys: Sys): string[] {
  const early = createLogger({ write: (text) => lines.push(text) > 0 }, 'info');
  const lines: string[] = [];
  for (const mount of virtualMounts.slice(0, 3)) {
    try {
      mountVirtual({ kind: 'mountVirtual', phase: 'preSwitch', source: '', policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 }, ...mount, fresh: undefined }, { sys, log: early, env: {} });
    } catch (error) {
      early.warn(`early mount of ${mount.target}: ${(error as Error).message}`);
    }
  }
  return lines;
}

// The plan from the config and what this kernel has (modules.dep, built-in and loaded modules): the prepared one
// when it was made from the same, else made here.
function planBoot(config: Config, prepared: PreparedPlan | undefined, log: Logger): Step[] {
  const kernelRelease = readKernelRelease();
  // Each file once: modules.builtin is an input of its own and one of the files the plan read. A file the tree does not
  // have (/lib/modules/modules.dep beside the release's directory) is found absent without the error a failed open
  // throws, which costs its stack trace while V8 interprets the boot.
  const texts = new Map<string, string | undefined>();
  const readOnce = (path: string): string | undefined => {
    if (!texts.has(path)) texts.set(path, existsSync(path) ? readOptional(path) : undefined);
    return texts.get(path);
  };
  const inputs: PlanInputs = {
    kernelRelease,
    builtin: readOnce(`/lib/modules/${kernelRelease}/modules.builtin`),
    loaded: readOptional('/proc/modules'),
    readFile: readOnce,
  };
  if (prepared !== undefined) {
    const steps = preparedSteps(prepared, inputs);
    if (typeof steps !== 'string') {
      log.debug(`plan: as bootstrap pack made it for ${kernelRelease} (${PREPARED_BOOT_PATH})`);
      return steps;
    }
    log.debug(`plan: the prepared one does not apply (${steps}); planning`);
  }
  return planWith(config, inputs);
}

function describeRole(runtime: Pid1): string {
  switch (runtime.role) {
    case 'machine':
      return 'the init of this machine';
    case 'namespace':
      return 'PID 1 of a PID namespace (logging to the inherited output; the console is the host\'s)';
    case 'subreaper':
      return `pid ${process.pid} (not PID 1: a subreaper of its descendants)`;
  }
}

// For the tests of the last-resort path only: a bug injected on purpose after start-up.
function scheduleTestFault(kind: 'uncaught' | 'rejection', runtime: Pid1): void {
  runtime.log.warn(`bootstrap.test.fault=${kind}: injecting a bug on purpose`);
  setTimeout(() => {
    if (kind === 'uncaught') throw new Error('injected fault (bootstrap.test.fault=uncaught)');
    void Promise.reject(new Error('injected fault (bootstrap.test.fault=rejection)'));
  }, 0);
}
