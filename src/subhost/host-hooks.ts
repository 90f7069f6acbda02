// overlay-boot's PREMOUNT and POSTMOUNT: commands run on the host around the mounting of the subhost's root,
// with the variables overlay-boot's own script has (NAME, BASE, LIVE, UPPER, WORK, LOWER).
import { spawnSync } from 'node:child_process';
import type { Hook } from '../config/generated/config-types';
import { DEFAULT_PATH } from '../exec/run-command';
import type { Logger } from '../log/log';
import { hookStep } from '../plan/build-plan';
import type { SubhostSpec } from './subhost-spec';

/** A hook without its own timeout is killed after this long: a start never waits for ever. */
export const HOST_HOOK_TIMEOUT_MS = 5 * 60_000;

/** Runs each hook in order on the host; throws naming the first that fails (after its retries). */
export function runHostHooks(hooks: readonly Hook[], key: 'premount' | 'postmount', spec: SubhostSpec, log: Logger): void {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? DEFAULT_PATH,
    NAME: spec.name,
    BASE: spec.base,
    LIVE: spec.live,
    UPPER: spec.upper,
    WORK: spec.work,
    LOWER: spec.lower.join(':'),
  };
  for (const [index, hook] of hooks.entries()) {
    const step = hookStep(hook, 'preSwitch', `/subhost/${key}/${index}`);
    const tries = 1 + (step.policy.onFailure === 'Retry' ? step.policy.retries : 0);
    let failure = '';
    for (let attempt = 1; attempt <= tries; attempt += 1) {
      log.info(`${key}[${index}]: ${JSON.stringify(step.argv)}`);
      const result = spawnSync(step.argv[0]!, step.argv.slice(1), {
        cwd: spec.base,
        env,
        input: step.input ?? '',
        stdio: ['pipe', 'inherit', 'inherit'],
        timeout: step.timeoutMs ?? HOST_HOOK_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      });
      failure = result.error
        ? ((result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `did not end within ${step.timeoutMs ?? HOST_HOOK_TIMEOUT_MS} ms` : result.error.message)
        : result.signal
          ? `was killed by ${result.signal}`
          : result.status !== 0
            ? `exited with status ${result.status}`
            : '';
      if (failure === '') break;
      if (attempt < tries) spawnSync('sleep', [String(step.policy.retryDelayMs / 1000)]);
    }
    if (failure === '') continue;
    if (step.policy.onFailure === 'Warn') {
      log.warn(`subhost.${key}[${index}] ${failure}; going on (onFailure: ${step.policy.onFailure})`);
      continue;
    }
    throw new Error(`subhost.${key}[${index}] ${JSON.stringify(step.argv)} ${failure}`);
  }
}
