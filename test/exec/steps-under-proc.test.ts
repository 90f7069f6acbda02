// Steps that must make a directory that cannot exist fail in bounded time, naming path and errno, and take their onFailure.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StepOutcome } from '../../src/exec/run-steps';

const root = resolve(import.meta.dirname, '../..');

interface Result {
  ms: number;
  outcomes: Pick<StepOutcome, 'kind' | 'status' | 'attempts' | 'error'>[];
  aborted: number | null;
  calls: unknown[];
}

describe('steps under /proc/nope', () => {
  let result: Result;
  beforeAll(() => {
    // A child process, killed after 20 s: Node's recursive mkdirSync spins forever here, and a
    // synchronous loop in the test's own process could never be interrupted.
    const run = spawnSync(join(root, 'node_modules/.bin/node'), ['--import', 'tsx', join(root, 'test/exec/fixtures/steps-under-proc.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    if (run.status !== 0) throw new Error(`fixture ${run.signal ? `killed by ${run.signal} (did it spin?)` : `exited ${run.status}`}\n${run.stdout}\n${run.stderr}`);
    result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Result;
  });

  it('ends in bounded time and reaches no kernel call', () => {
    expect(result.ms).toBeLessThan(5000);
    expect(result.calls).toEqual([]);
  });

  it('fails each step with the mkdir, the path and the errno, and applies Retry, Warn and Abort', () => {
    const failure = (path: string, making?: string) => ({
      syscall: 'mkdir',
      errno: 'ENOENT',
      message: `mkdir(path="${path}", mode="755"): ENOENT (No such file or directory)${making ? `; making ${making}` : ''}`,
    });
    expect(result.outcomes).toEqual([
      { kind: 'tmpfile', status: 'warned', attempts: 1, error: failure('/proc/nope') },
      { kind: 'tmpfile', status: 'warned', attempts: 1, error: failure('/proc/nope', '/proc/nope/dir/sub') },
      { kind: 'symlink', status: 'warned', attempts: 1, error: failure('/proc/nope') },
      { kind: 'mountVirtual', status: 'warned', attempts: 1, error: failure('/proc/nope', '/proc/nope/mnt') },
      { kind: 'mount', status: 'warned', attempts: 1, error: failure('/proc/nope', '/proc/nope/upper') },
      { kind: 'switchRoot', status: 'warned', attempts: 1, error: failure('/proc/nope', '/proc/nope/proc') },
      { kind: 'tmpfile', status: 'failed', attempts: 2, error: failure('/proc/nope') },
    ]);
    // Retry tried twice, then aborted: the step after it never ran.
    expect(result.aborted).toBe(6);
  });
});
