// Runs plan steps in order through handlers, applying each step's failure policy and timing it; module loads next to
// each other run at the same time as far as their dependencies allow.
import { setTimeout as delay } from 'node:timers/promises';
import type { Step, StepKind, StepOf } from '../plan/step';
import { earlierByName, runWhenReady } from './run-when-ready';
import { moduleLoadsAtOnce } from '../sys/module';
import type { PhaseName } from '../plan/step';
import { describeStep } from '../plan/format-plan';
import type { Logger } from '../log/log';
import { nowMs } from '../clock';

/** What a handler may report besides success. */
export type StepResult = void | { skipped: string };

export type StepHandler<K extends StepKind, C> = (step: StepOf<K>, context: C) => Promise<StepResult> | StepResult;

/** One handler per step kind: a new kind does not compile until it is handled. */
export type Handlers<C> = { [K in StepKind]: StepHandler<K, C> };

/** The error part of a step outcome, with the system call when one failed. */
export interface OutcomeError {
  message: string;
  syscall?: string;
  errno?: string;
}

export interface StepOutcome {
  index: number;
  kind: StepKind;
  phase: PhaseName;
  source: string;
  description: string;
  status: 'ok' | 'skipped' | 'warned' | 'failed';
  attempts: number;
  durationMs: number;
  note?: string;
  error?: OutcomeError;
}

export interface RunOptions {
  log: Logger;
  /** Called before the first step of this phase (bootstrap.break); resolves when the user is done. */
  breakBefore?: { phase: PhaseName; run: () => Promise<void> };
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Receives each outcome as soon as it is known (for the boot report). */
  record?: (outcome: StepOutcome) => void;
  /** Checked before each step: true stops the run (the emergency path has taken over). */
  stopped?: () => boolean;
  /** How many module loads may run at once (one per CPU, at most four, unless given: moduleLoadsAtOnce). */
  moduleLoadsAtOnce?: number;
}

export interface RunResult {
  outcomes: StepOutcome[];
  /** The step whose failure aborted the run, with its outcome. */
  aborted?: { step: Step; outcome: StepOutcome };
  /** `stopped()` returned true before the run ended. */
  stopped?: boolean;
}

/** The error of a failed call in the words of the report. */
export function outcomeError(error: unknown): OutcomeError {
  if (error instanceof Error) {
    const fields = error as Error & { syscall?: unknown; code?: unknown };
    return {
      message: error.message,
      ...(typeof fields.syscall === 'string' ? { syscall: fields.syscall } : {}),
      ...(typeof fields.code === 'string' ? { errno: fields.code } : {}),
    };
  }
  return { message: String(error) };
}

/** Runs `steps` until the end or until a step aborts; never throws for a failing step. */
export async function runSteps<C>(steps: readonly Step[], handlers: Handlers<C>, context: C, options: RunOptions): Promise<RunResult> {
  const log = options.log;
  const outcomes: StepOutcome[] = [];
  let phase: PhaseName | undefined;
  for (let index = 0; index < steps.length; ) {
    // Handlers are mostly synchronous: yield to the event loop between steps so signals, timers and
    // exits of children are handled during the boot, not only once it waits for something.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.stopped?.()) return { outcomes, stopped: true };
    const step = steps[index]!;
    if (step.phase !== phase) {
      phase = step.phase;
      if (options.breakBefore?.phase === phase) {
        log.warn(`bootstrap.break=${phase}: starting a shell before ${phase}; exit it to continue the boot`);
        await options.breakBefore.run();
      }
      log.info(`phase ${phase}`);
    }
    const group = loadsTogether(steps, index);
    if (group.length > 1) {
      const run = await runLoads(group, index, handlers, context, options);
      outcomes.push(...run.outcomes);
      if (run.aborted) return { outcomes, aborted: run.aborted };
      if (run.stopped) return { outcomes, stopped: true };
      index += group.length;
      continue;
    }
    const outcome = await runStep(index, step, handlers, context, options);
    outcomes.push(outcome);
    options.record?.(outcome);
    if (outcome.status === 'failed') return { outcomes, aborted: { step, outcome } };
    index++;
  }
  return { outcomes };
}

type PlannedLoad = StepOf<'loadModule'> & { after: string[] };

// The module loads from `index` on that may run at the same time: next to each other in one phase, each saying which
// of them it needs first (steps without `after` run one after another, after everything before them).
function loadsTogether(steps: readonly Step[], index: number): PlannedLoad[] {
  const group: PlannedLoad[] = [];
  for (const step of steps.slice(index)) {
    if (step.kind !== 'loadModule' || step.after === undefined || step.phase !== steps[index]!.phase) break;
    group.push(step as PlannedLoad);
  }
  return group;
}

// Loads each module once the modules it needs are; a failure that aborts starts nothing more, and the loads already
// running end before the run does. Outcomes come in step order; the first failed step (in that order) aborts.
async function runLoads<C>(group: readonly PlannedLoad[], first: number, handlers: Handlers<C>, context: C, options: RunOptions): Promise<RunResult> {
  const width = options.moduleLoadsAtOnce ?? moduleLoadsAtOnce();
  options.log.debug(
    width > 1
      ? `loading ${group.length} modules, up to ${width} at a time, each once the modules it needs are loaded`
      : `loading ${group.length} modules one after another (one CPU: their kernel work would only interleave)`,
  );
  const waits = earlierByName(group);
  let aborting = false;
  let stopped = false;
  const tasks = group.map((step, offset) => ({
    after: waits[offset]!,
    run: async (): Promise<StepOutcome> => {
      const outcome = await runStep(first + offset, step, handlers, context, options);
      options.record?.(outcome);
      if (outcome.status === 'failed') aborting = true;
      return outcome;
    },
  }));
  const results = await runWhenReady(tasks, {
    width,
    halted: () => {
      stopped ||= options.stopped?.() === true;
      return aborting || stopped;
    },
  });
  const outcomes = results.filter((outcome): outcome is StepOutcome => outcome !== undefined);
  const failed = outcomes.find((outcome) => outcome.status === 'failed');
  if (failed) return { outcomes, aborted: { step: group[failed.index - first]!, outcome: failed } };
  return stopped ? { outcomes, stopped: true } : { outcomes };
}

// One step with its failure policy: its attempts, its log lines and its outcome; never throws for a failing step.
async function runStep<C>(index: number, step: Step, handlers: Handlers<C>, context: C, options: RunOptions): Promise<StepOutcome> {
  const sleep = options.sleep ?? delay;
  const now = options.now ?? nowMs;
  const log = options.log;
  const description = describeStep(step);
  // logLevel trace: the step as data, every field the handler gets (the Sys calls it makes follow, see traceSys).
  if (log.level === 'trace') log.trace(`step ${index + 1} spec: ${JSON.stringify(step)}`);
  const started = now();
  const handler = handlers[step.kind] as StepHandler<StepKind, C>;
  const maxAttempts = step.policy.onFailure === 'Retry' ? step.policy.retries + 1 : 1;
  for (let attempts = 1; ; attempts++) {
    log.debug(`step ${index + 1}: ${description}${attempts > 1 ? ` (attempt ${attempts} of ${maxAttempts})` : ''}`);
    try {
      const result = await handler(step, context);
      const skipped = result && 'skipped' in result ? result.skipped : undefined;
      if (skipped) log.debug(`step ${index + 1} skipped: ${skipped}`);
      else log.info(`${description} (${(now() - started).toFixed(1)}ms)`);
      return { index, kind: step.kind, phase: step.phase, source: step.source, description, status: skipped ? 'skipped' : 'ok', attempts, durationMs: now() - started, ...(skipped ? { note: skipped } : {}) };
    } catch (error) {
      const failure = outcomeError(error);
      if (attempts < maxAttempts) {
        log.warn(`step ${index + 1} failed (attempt ${attempts} of ${maxAttempts}): ${failure.message}; retrying in ${step.policy.retryDelayMs}ms`);
        await sleep(step.policy.retryDelayMs);
        continue;
      }
      const warned = step.policy.onFailure === 'Warn';
      if (warned) log.warn(`step ${index + 1} failed, continuing (onFailure: Warn): ${description}: ${failure.message}`);
      return { index, kind: step.kind, phase: step.phase, source: step.source, description, status: warned ? 'warned' : 'failed', attempts, durationMs: now() - started, error: failure };
    }
  }
}

/** The summary PID 1 prints when a step aborts the boot: phase, step, call, errno and what to check. */
export function abortSummary(step: Step, outcome: StepOutcome): string {
  const lines = [
    `boot aborted in ${step.phase}, step ${outcome.index + 1} (${step.kind}${step.source ? ` from ${step.source}` : ''}):`,
    `  step:   ${outcome.description}`,
    ...(outcome.error?.syscall ? [`  call:   ${outcome.error.syscall}${outcome.error.errno ? ` failed with ${outcome.error.errno}` : ''}`] : []),
    `  error:  ${outcome.error?.message ?? 'unknown'}`,
    ...(outcome.attempts > 1 ? [`  tries:  ${outcome.attempts}`] : []),
    `  check:  ${hintFor(step, outcome.error)}`,
  ];
  return lines.join('\n');
}

function hintFor(step: Step, error: OutcomeError | undefined): string {
  switch (step.kind) {
    case 'loadModule':
      return 'that the module is in the initramfs (bootstrap pack --modules-from) and matches the running kernel';
    case 'mount':
      if (step.wait?.kind === 'tag') return `that the VM has a ${step.wait.fsType} device with tag "${step.wait.tag}" and its driver module is loaded`;
      if (step.wait?.kind === 'server') return `that the NFS server ${step.wait.server} runs, exports ${step.wait.export} to this client, and is reachable (the network step before this one); the version and ports in the options`;
      if (step.wait?.kind === 'device') return `that ${step.wait.device} exists (its driver module loaded) and holds a ${step.fsType === 'auto' ? 'known' : step.fsType} filesystem`;
      return error?.errno === 'ENODEV' ? `that the ${step.fsType} filesystem module is loaded` : 'the mount source, target and options';
    case 'checkHandoff':
      return 'that the handoff program exists in the new root and is executable';
    case 'namespaces':
      return 'that util-linux unshare(1) is installed, this kernel allows these namespaces here (user.max_user_namespaces, a seccomp profile), and idMap\'s outside ids exist';
    case 'hook':
    case 'bootScript':
      return 'the command and its output above';
    default:
      return 'the message above';
  }
}
