// The `handoff` step: become the program (exec), run a shell on the console, or supervise (not yet).
import type { StepOf } from '../plan/step';
import { CLOSE_RANGE_CLOEXEC, MAX_FD } from '../sys/fd';
import type { BootContext } from './boot-context';
import { powerDown } from './power-down';
import { REPORT_PATH, writeReport } from './report';
import { runShell } from './shell';
import { supervise } from './supervise';
import { openConsoleSink } from './console-sink';

/** Never returns on success: exec replaces PID 1, a shell handoff ends in its onExit action. */
export async function handoff(step: StepOf<'handoff'>, context: BootContext): Promise<void> {
  const { sys, log } = context;
  const plan = step.handoff;
  const problem = writeReport({ result: 'handoff', atMs: performance.now(), steps: context.outcomes });
  if (problem) log.warn(problem);
  else log.debug(`boot report written to ${REPORT_PATH}`);
  if (plan.mode === 'supervise') {
    log.info(`supervising ${Object.keys(plan.processes).join(', ')} (boot took ${performance.now().toFixed(0)}ms)`);
    return supervise({
      config: context.config,
      sys,
      log,
      children: context.children,
      env: context.env,
      machine: context.machine,
      pid1: process.pid === 1,
      console: context.console,
      reclaimConsole: () => context.reclaimConsole(),
      consoleSink: openConsoleSink(context.console),
    });
  }
  if (plan.mode === 'exec') {
    log.info(`exec ${JSON.stringify(plan.argv)} (boot took ${performance.now().toFixed(0)}ms)`);
    // Only fds 0-2 (the console, blocking) may reach the program: everything else is closed at exec.
    sys.closeRange(3, MAX_FD, CLOSE_RANGE_CLOEXEC);
    context.children.stop();
    return sys.execve({ path: plan.argv[0]!, argv: plan.argv, env: context.env });
  }
  for (;;) {
    const started = performance.now();
    await runShell(context, plan.argv);
    if (plan.onExit !== 'respawn') return powerDown(context, plan.onExit);
    // A shell that dies at once would otherwise respawn in a tight loop.
    if (performance.now() - started < 1000) await new Promise((resolve) => setTimeout(resolve, 1000));
    log.info('respawning the shell (onExit: respawn)');
  }
}
