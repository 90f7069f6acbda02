// The `handoff` step: become the program (exec), run a shell on the console, or supervise.
import type { StepOf } from '../plan/step';
import { setTimeout as sleep } from 'node:timers/promises';
import { holdUntilShutdown } from '../pid1/hold';
import { compileAfterBoot } from '../pid1/interpreted-boot';
import { INITCTL_PATH, startInitctl } from '../pid1/initctl';
import { runShell, waitForTerminal } from '../pid1/shell';
import { supervise } from '../pid1/supervise';
import { CLOSE_RANGE_CLOEXEC, MAX_FD } from '../sys/fd';
import type { BootContext } from './boot-context';
import { REPORT_PATH, writeReport } from './report';
import { passLeasesOn, renewLeases } from '../exec/lease-renewal';
import { nowMs } from '../clock';

// While bootstrap stays PID 1 it renews the boot's DHCP leases; an exec handoff leaves them (and their renewal) to the next init.
function startOrPassOnRenewal(mode: StepOf<'handoff'>['handoff']['mode'], context: BootContext): void {
  const { log, runtime } = context;
  const renewal = { sys: context.sys, log, network: context.network, ...(context.networkRecordPath === undefined ? {} : { networkRecordPath: context.networkRecordPath }), ...(context.resolvConf === undefined ? {} : { resolvConf: context.resolvConf }) };
  if (mode === 'exec') {
    const names = passLeasesOn(renewal);
    if (names.length > 0) log.info(`DHCP leases on ${names.join(', ')}: renewing them passes to the next init (recorded in the network record)`);
    return;
  }
  const leases = renewLeases(renewal);
  if (leases.interfaces.length === 0) return;
  log.info(`DHCP leases on ${leases.interfaces.join(', ')}: renewed by bootstrap while it runs`);
  runtime.addBackgroundTask({ name: 'DHCP renewal', stop: () => leases.stop() });
}

// Work steps left for once the handoff runs: after it started when bootstrap stays PID 1, before an exec otherwise
// (nothing is left behind by an exec; the plan frees the initramfs at the switch then).
function runAfterHandoff(mode: StepOf<'handoff'>['handoff']['mode'], context: BootContext): void {
  const tasks = context.afterHandoff.splice(0);
  if (tasks.length === 0) return;
  const run = (): void => {
    for (const task of tasks) task();
  };
  if (mode === 'exec') run();
  else setImmediate(run);
}

// A shell that dies at once would otherwise respawn in a tight loop.
const RESPAWN_DELAY_MS = 1000;

/** Never returns on success: exec replaces PID 1, supervise and a shell end in the runtime's shutdown. */
export async function handoff(step: StepOf<'handoff'>, context: BootContext): Promise<void> {
  const { sys, log, runtime } = context;
  const plan = step.handoff;
  context.onHandoff?.();
  const problem = writeReport({ result: 'handoff', atMs: nowMs(), steps: context.outcomes });
  if (problem) log.warn(problem);
  else log.debug(`boot report written to ${REPORT_PATH}`);
  startOrPassOnRenewal(plan.mode, context);
  runAfterHandoff(plan.mode, context);
  // Bootstrap stays PID 1 with every mode but exec: its compilers return for what it does from now on.
  if (plan.mode !== 'exec') compileAfterBoot();
  // Validation refuses initctl with an exec handoff: after exec, bootstrap is not PID 1 anymore.
  const initctlPath = step.initctl ? (context.args.testInitctlPath ?? INITCTL_PATH) : undefined;
  if (plan.mode === 'supervise') {
    log.info(`supervising ${Object.keys(plan.processes).join(', ')} (boot took ${nowMs().toFixed(0)}ms)`);
    return supervise(runtime, { config: context.config, consoleSink: runtime.openOutput(), ...(initctlPath === undefined ? {} : { initctlPath }) });
  }
  if (plan.mode === 'exec') {
    log.info(`exec ${JSON.stringify(plan.argv)} (boot took ${nowMs().toFixed(0)}ms)`);
    // Only fds 0-2 (the console, or what a namespace's init inherited; blocking) may reach the program.
    sys.keepStdioAcrossExec();
    sys.closeRange(3, MAX_FD, CLOSE_RANGE_CLOEXEC);
    context.children.stop();
    return sys.execve({ path: plan.argv[0]!, argv: plan.argv, env: context.env });
  }
  if (initctlPath !== undefined) startInitctl(runtime, initctlPath);
  if (plan.mode === 'none') {
    // What ends it is a signal (TERM, PWR, INT: the runtime's shutdown), as for the seed's dummy_service.
    log.info(`no handoff program: PID 1 reaps and holds until it is stopped (boot took ${nowMs().toFixed(0)}ms)`);
    return holdUntilShutdown();
  }
  if (plan.terminal !== undefined && runtime.ownsConsole) {
    try {
      await waitForTerminal(plan.terminal);
    } catch (error) {
      return runtime.fail((error as Error).message);
    }
  }
  for (;;) {
    const started = nowMs();
    await runShell(runtime, plan.argv, plan.terminal);
    // A power-down that came while the shell ran owns the end: no respawn, no second power action.
    if (runtime.stopping) return new Promise<never>(() => undefined);
    if (plan.onExit !== 'respawn') return runtime.shutdown({ action: plan.onExit, reason: `the shell handoff ${plan.argv[0]!} exited (onExit: ${plan.onExit})` });
    const elapsed = nowMs() - started;
    if (elapsed < RESPAWN_DELAY_MS) await sleep(RESPAWN_DELAY_MS - elapsed);
    if (runtime.stopping) return new Promise<never>(() => undefined);
    log.info('respawning the shell (onExit: respawn)');
  }
}
