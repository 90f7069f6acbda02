// takeConsole on real pseudo-terminals: controlling tty, clean stdio, and an exec handoff that keeps its output.
import { describe, expect, it } from 'vitest';
import { describe as describeRun, fixtureLines, fixtureResult, runFixture } from './run-fixture';

interface ConsoleResult {
  pid: number;
  slaveRdev: number;
  missing: { name: string; code?: string; syscall?: string; message: string } | null;
  before: { closeOnExec: boolean[]; nonBlocking: boolean[] };
  after: { closeOnExec: boolean[]; nonBlocking: boolean[]; terminals: number[]; ttyNr: number; session: number };
  child: { exit: Record<string, unknown>; ttyNr: number; written: string };
}

describe('takeConsole', () => {
  it('makes the terminal our controlling tty and puts it on fds 0-2, blocking and inherited', () => {
    const result = fixtureResult<ConsoleResult>(runFixture('console'));
    // The state the fixture gave stdio, as libuv would, which the call must repair.
    expect(result.before.closeOnExec.slice(1)).toEqual([true, true]);
    expect(result.before.nonBlocking[1]).toBe(true);
    expect(result.after.closeOnExec).toEqual([false, false, false]);
    expect(result.after.nonBlocking).toEqual([false, false, false]);
    expect(result.after.terminals).toEqual([result.slaveRdev, result.slaveRdev, result.slaveRdev]);
    expect(result.after.ttyNr).toBe(result.slaveRdev);
    expect(result.after.session).toBe(result.pid);
    expect(result.child.exit).toMatchObject({ exitCode: 0 });
    expect(result.child.ttyNr).toBe(result.slaveRdev);
    expect(result.child.written).toBe('through-the-terminal\r\n');
    expect(result.missing).toMatchObject({ name: 'SysError', code: 'ENOENT', syscall: 'open' });
    expect(result.missing?.message).toContain('path="/dev/no-such-console"');
  });

  it('without controllingTerminal, sets up stdio but takes no tty and starts no session', () => {
    const result = fixtureResult<ConsoleResult>(runFixture('console', ['no-ctty']));
    expect(result.after.closeOnExec).toEqual([false, false, false]);
    expect(result.after.terminals).toEqual([result.slaveRdev, result.slaveRdev, result.slaveRdev]);
    expect(result.after.ttyNr).toBe(0);
    expect(result.child.ttyNr).toBe(0);
    expect(result.child.written).toBe('through-the-terminal\r\n');
  });

  it('hands an exec\'d program the console as controlling tty on fds 0-2 and nothing else', () => {
    // script(1) gives the fixture a terminal that is already another session's: takeConsole must steal it.
    const run = runFixture('console-exec', [], { tty: true });
    const [line] = fixtureLines(run);
    expect(line, describeRun(run)).toBeDefined();
    const shell = JSON.parse(line ?? '{}') as { pid: number; session: number; ttyNr: number; terminal: string };
    expect(shell.pid).toBe(1);
    expect(shell.session).toBe(1);
    expect(shell.ttyNr).not.toBe(0);
    expect(shell.terminal).toMatch(/^\/dev\/pts\/\d+$/);
    const descriptors = run.stdout
      .split(/\r?\n/)
      .map((text) => /(\d+) -> (.*)$/.exec(text.trim()))
      .filter((match) => match !== null)
      .filter((match) => match[2] !== '/proc/1/fd')
      .map((match) => [Number(match[1]), match[2]]);
    expect(descriptors).toEqual([
      [0, shell.terminal],
      [1, shell.terminal],
      [2, shell.terminal],
    ]);
  });
});
