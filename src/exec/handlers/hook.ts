// Step handlers for `hook` and `bootScript`: run the command, and turn anything but exit status 0 into a failure.
import type { Children } from '../children';
import type { BaseContext } from '../context';
import { runCommand, type CommandResult, type CommandSpec } from '../run-command';
import type { StepHandler } from '../run-steps';

/** What command steps need from the executor's context. */
export interface CommandContext extends BaseContext {
  children: Children;
}

/** Runs a hook with its stdin input and timeout; its retry/warn/abort policy is applied by runSteps. */
export const runHook: StepHandler<'hook', CommandContext> = async (step, context) => {
  await runOrThrow('hook', { argv: step.argv, env: context.env, input: step.input, timeoutMs: step.timeoutMs }, context);
};

/** Runs the boot script before the handoff, with stdin on /dev/null. */
export const runBootScript: StepHandler<'bootScript', CommandContext> = async (step, context) => {
  await runOrThrow('bootScript', { argv: step.argv, env: context.env, timeoutMs: step.timeoutMs }, context);
};

async function runOrThrow(what: string, spec: CommandSpec, context: CommandContext): Promise<void> {
  const name = `${what} ${JSON.stringify(spec.argv)}`;
  let result: CommandResult;
  try {
    result = await runCommand(context.children, context.sys, spec);
  } catch (error) {
    // Prefixed so the report says which step; a SysError keeps its syscall and errno for the report.
    if (error instanceof Error) error.message = `${name}: ${error.message}`;
    throw error;
  }
  const failure = failureOf(result, spec.timeoutMs);
  context.log.debug(`${name} ${failure ?? 'exited with status 0'} (${result.durationMs.toFixed(0)}ms)`);
  if (failure !== undefined) throw new Error(`${name} ${failure}`);
}

/** Why a command result is a failure, in words that follow its name; undefined for exit status 0. */
export function failureOf(result: CommandResult, timeoutMs: number | undefined): string | undefined {
  if (result.timedOut) return `timed out after ${String(timeoutMs)}ms and was killed`;
  if ('exitCode' in result.exit) return result.exit.exitCode === 0 ? undefined : `exited with status ${result.exit.exitCode}`;
  return `was killed by ${result.exit.signalName}${result.exit.coreDumped ? ' (core dumped)' : ''}`;
}
