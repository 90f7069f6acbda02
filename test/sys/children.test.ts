// The reaper, runCommand and the hook handlers for real, as PID 1 of a fresh PID namespace: statuses, stdin, timeouts, orphans.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChildExit } from '../../src/sys/index';
import type { CommandResult } from '../../src/exec/run-command';
import { describe as describeRun, fixtureLines, fixtureResult, runFixture, type FixtureRun } from './run-fixture';

interface ErrorReport {
  name: string;
  message: string;
}

interface CommandsResult {
  exitCodes: number[];
  signals: ChildExit[];
  input: {
    text: ChildExit;
    textRead: string;
    copied: { exit: ChildExit; written: number; same: boolean };
    counted: { exit: ChildExit; written: number; output: string };
    discarded: { exit: ChildExit; written: number };
    notRead: CommandResult;
    notReadStuck: CommandResult;
    noInput: ChildExit;
    noInputStdin: string;
  };
  timeout: { ignoresTerm: CommandResult; obeysTerm: CommandResult; sleepersLeft: number };
  group: { exit: ChildExit; pid: string; pgrp: string; ours: string };
  path: Record<'missing' | 'missingDefault' | 'notExecutable' | 'withSlash', ErrorReport | null> & { defaultPath: ChildExit; found: ChildExit; foundAs: string };
  inherited: ChildExit;
  running: number;
}

interface OrphansResult {
  stormExit: ChildExit;
  stormMs: number;
  ours: number;
  oursDuringStorm: number;
  slowExit: ChildExit;
  wrongStatuses: unknown[];
  stats: { orphansReaped: number; childrenReaped: number };
  zombies: number;
  others: string[];
}

interface StepsResult {
  attemptsFile: string;
  outcomes: { status: string; attempts: number; message?: string }[];
  aborted: number;
}

function section<T>(name: string): { run: FixtureRun; result: T } {
  const run = runFixture('children', [name]);
  const { pid, result } = fixtureResult<{ pid: number; result: T }>(run);
  if (pid !== 1) throw new Error(`the fixture must be PID 1 to receive orphans, it was ${pid}\n${describeRun(run)}`);
  return { run, result };
}

describe('runCommand as PID 1', () => {
  let run: FixtureRun;
  let result: CommandsResult;
  beforeAll(() => {
    ({ run, result } = section<CommandsResult>('commands'));
  });

  it('reports every exit status from 0 to 255', () => {
    expect(result.exitCodes).toEqual(Array.from({ length: 256 }, (_, code) => code));
  });

  it('reports the signal that killed a command, real-time ones included', () => {
    const seen = result.signals.map((exit) => ('signal' in exit ? `${exit.signal} ${exit.signalName}` : `exit ${exit.exitCode}`));
    expect(seen).toEqual(['1 SIGHUP', '2 SIGINT', '9 SIGKILL', '10 SIGUSR1', '12 SIGUSR2', '13 SIGPIPE', '14 SIGALRM', '15 SIGTERM', '34 SIG34', '64 SIG64']);
  });

  it('feeds input to stdin, 1 MiB intact, and gives /dev/null without input', () => {
    const { input } = result;
    expect(input.text).toMatchObject({ exitCode: 0 });
    expect(input.textRead).toBe('hello\nworld\n');
    expect(input.copied).toMatchObject({ exit: { exitCode: 0 }, written: 1 << 20, same: true });
    expect(input.counted).toMatchObject({ exit: { exitCode: 0 }, written: 1 << 20, output: '1048576' });
    expect(input.discarded).toMatchObject({ exit: { exitCode: 0 }, written: 1 << 20 });
    expect(input.noInput).toMatchObject({ exitCode: 0 });
    expect(input.noInputStdin).toBe('/dev/null');
  });

  it('does not hang on a command that never reads its input', () => {
    // One pipe's worth (64 KiB) went in; the rest was dropped when the command ended.
    expect(result.input.notRead).toMatchObject({ exit: { exitCode: 5 }, timedOut: false });
    expect(result.input.notRead.inputWritten).toBeLessThan(1 << 20);
    expect(result.input.notRead.durationMs).toBeLessThan(1000);
    expect(result.input.notReadStuck).toMatchObject({ exit: { signalName: 'SIGTERM' }, timedOut: true });
    expect(result.input.notReadStuck.durationMs).toBeLessThan(1300);
  });

  it('kills a command that ignores SIGTERM with SIGKILL after the grace, and not later', () => {
    const { ignoresTerm, obeysTerm } = result.timeout;
    expect(ignoresTerm).toMatchObject({ exit: { signalName: 'SIGKILL' }, timedOut: true });
    // timeout 500 ms + default grace 2000 ms.
    expect(ignoresTerm.durationMs).toBeGreaterThanOrEqual(2490);
    expect(ignoresTerm.durationMs).toBeLessThan(3200);
    expect(obeysTerm).toMatchObject({ exit: { signalName: 'SIGTERM' }, timedOut: true });
    expect(obeysTerm.durationMs).toBeGreaterThanOrEqual(295);
    expect(obeysTerm.durationMs).toBeLessThan(1000);
  });

  it('starts each command in its own process group, so the timeout kills what it started too', () => {
    expect(result.group.exit).toMatchObject({ exitCode: 0 });
    expect(result.group.pgrp).toBe(result.group.pid);
    expect(result.group.pgrp).not.toBe(result.group.ours);
    expect(result.timeout.sleepersLeft).toBe(0);
  });

  it('searches PATH for a name without a slash, skipping directories and files that are not executable', () => {
    expect(result.path.defaultPath).toMatchObject({ exitCode: 0 });
    expect(result.path.found).toMatchObject({ exitCode: 6 });
    expect(result.path.foundAs).toBe('/tmp/bin/my-tool');
  });

  it('fails before starting anything when the program is not found, naming it and the PATH searched', () => {
    expect(result.path.missing).toEqual({ name: 'ProgramNotFoundError', message: 'program "no-such-tool" not found in PATH /tmp/shadow:/usr/bin (or not an executable file there)' });
    expect(result.path.missingDefault?.message).toContain('PATH /usr/sbin:/usr/bin:/sbin:/bin');
    expect(result.path.notExecutable?.message).toContain('"my-tool" not found in PATH /tmp/shadow');
    expect(result.path.withSlash).toMatchObject({ name: 'SysError' });
    expect(result.path.withSlash?.message).toContain('ENOENT');
  });

  it('writes a command\'s output to our stdout, the console, and leaves no child behind', () => {
    expect(result.inherited).toMatchObject({ exitCode: 0 });
    expect(fixtureLines(run), describeRun(run)).toContain('{"fromCommand":true}');
    expect(result.running).toBe(0);
  });
});

describe('the reaper as PID 1', () => {
  let result: OrphansResult;
  beforeAll(() => {
    ({ result } = section<OrphansResult>('orphans'));
  });

  it('reaps all 1,000 orphans a command leaves, with no zombie left', () => {
    expect(result.stormExit).toMatchObject({ exitCode: 9 });
    // At least the storm's 1,000 (tsx's esbuild service, if it ended, is one more).
    expect(result.stats.orphansReaped).toBeGreaterThanOrEqual(1000);
    expect(result.stats.orphansReaped).toBeLessThanOrEqual(1001);
    expect(result.zombies).toBe(0);
    expect(result.others).toEqual([]);
  });

  it('still delivers each of our children its own status during the storm', () => {
    expect(result.oursDuringStorm, `storm ${result.stormMs}ms, ${result.ours} commands of ours`).toBeGreaterThanOrEqual(6);
    expect(result.wrongStatuses).toEqual([]);
    expect(result.slowExit).toMatchObject({ exitCode: 42 });
    // The storm, our short commands and the slow one.
    expect(result.stats.childrenReaped).toBe(result.ours + 2);
  });
});

describe('hook and bootScript steps under runSteps', () => {
  let result: StepsResult;
  beforeAll(() => {
    ({ result } = section<StepsResult>('steps'));
  });

  it('retries a failing hook until it succeeds: 3 attempts', () => {
    expect(result.attemptsFile).toBe('3');
    expect(result.outcomes[0]).toEqual({ status: 'ok', attempts: 3 });
  });

  it('gives a hook its input and the context environment', () => {
    expect(result.outcomes[1]).toEqual({ status: 'ok', attempts: 1 });
  });

  it('says how each failing command ended, and aborts on an Abort hook', () => {
    expect(result.outcomes.slice(2).map((outcome) => [outcome.status, outcome.message])).toEqual([
      ['warned', 'hook ["sleep","30"] timed out after 500ms and was killed'],
      ['warned', 'bootScript ["/bin/sh","-c","kill -KILL $$"] was killed by SIGKILL'],
      ['warned', 'hook ["no-such-hook"]: program "no-such-hook" not found in PATH /usr/bin:/bin (or not an executable file there)'],
      ['failed', 'hook ["/bin/sh","-c","exit 3"] exited with status 3'],
    ]);
    expect(result.aborted).toBe(5);
  });
});
