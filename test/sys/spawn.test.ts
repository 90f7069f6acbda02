// posix_spawn, waitAny and kill for real, as PID 1 of a fresh PID namespace, checked through /proc.
import { beforeAll, describe, expect, it } from 'vitest';
import { describe as describeRun, fixtureLines, fixtureResult, runFixture, type FixtureRun } from './run-fixture';

interface ErrorReport {
  name: string;
  code?: string;
  syscall?: string;
  message: string;
}
interface SpawnedSession {
  pid: number;
  stat: string[];
  sigBlk: string;
  sigIgn: string;
}

describe('posixSpawn, waitAny and kill', () => {
  let run: FixtureRun;
  let result: {
    descriptors: { leak: number; closeFrom3: string[]; withoutCloseFrom3: string[] };
    afterCloseRange: { leakCloseOnExec: boolean; withoutCloseFrom3: string[] };
    sessions: { parent: { pid: number; pgrp: string; session: string; sigIgn: string; sigBlk: string }; setsid: SpawnedSession; setpgid: SpawnedSession; plain: SpawnedSession };
    exits: Record<'code' | 'signal' | 'killed', Record<string, unknown>> & { nothingLeft: null; killGone: ErrorReport | null };
    environment: { cwd: string; env: string[]; stderrToStdout: string; nullStdin: string; appended: string };
    inherited: { stdoutCloseOnExecHere: boolean; exit: Record<string, unknown> };
    terminal: { slaveRdev: number; withSetsid: string; withoutSetsid: string };
    failures: Record<'missing' | 'notExecutable' | 'badCwd' | 'emptyArgv' | 'badEnvName', ErrorReport | null>;
  };
  beforeAll(() => {
    run = runFixture('spawn');
    result = fixtureResult(run);
  });

  it('closes every descriptor from 3 in the child, which would otherwise leak', () => {
    expect(result.descriptors.closeFrom3).toEqual(['0', '1', '2']);
    expect(result.descriptors.withoutCloseFrom3).toContain(String(result.descriptors.leak));
  });

  it('closeRange with CLOSE_RANGE_CLOEXEC keeps descriptors from crossing exec', () => {
    expect(result.afterCloseRange).toEqual({ leakCloseOnExec: true, withoutCloseFrom3: ['0', '1', '2'] });
  });

  it('gives a setsid child its own session and process group', () => {
    const { setsid } = result.sessions;
    expect(setsid.stat[2]).toBe(String(setsid.pid));
    expect(setsid.stat[3]).toBe(String(setsid.pid));
  });

  it('gives a setpgid child its own process group in our session, and a plain child ours', () => {
    const { parent, setpgid, plain } = result.sessions;
    expect(setpgid.stat[2]).toBe(String(setpgid.pid));
    expect(setpgid.stat[3]).toBe(parent.session);
    expect(plain.stat[2]).toBe(parent.pgrp);
  });

  it('starts children with no blocked and no ignored signals, though we block and Node ignores some', () => {
    expect(result.sessions.parent.sigBlk).toBe('0000000000000800');
    expect(result.sessions.parent.sigIgn).not.toBe('0000000000000000');
    for (const child of [result.sessions.setsid, result.sessions.setpgid, result.sessions.plain]) {
      expect(child.sigBlk).toBe('0000000000000000');
      expect(child.sigIgn).toBe('0000000000000000');
    }
  });

  it('reports exit codes and signals, and null when no child is left', () => {
    expect(result.exits.code).toMatchObject({ exitCode: 7 });
    expect(result.exits.signal).toMatchObject({ signal: 15, signalName: 'SIGTERM', coreDumped: false });
    expect(result.exits.killed).toMatchObject({ signal: 9, signalName: 'SIGKILL' });
    expect(result.exits.nothingLeft).toBeNull();
    expect(result.exits.killGone).toMatchObject({ name: 'SysError', code: 'ESRCH', syscall: 'kill' });
  });

  it('applies cwd, the exact environment and the stdio sources', () => {
    expect(result.environment.cwd).toBe('/proc');
    expect(result.environment.env).toEqual(['EMPTY=', 'FOO=bar', expect.stringMatching(/^PWD=/)]);
    expect(result.environment.stderrToStdout).toBe('out\nerr\n');
    expect(result.environment.nullStdin).toBe('done\n');
    expect(result.environment.appended).toBe('done\nsecond\n');
  });

  it('hands our close-on-exec stdout to a child that inherits it', () => {
    expect(result.inherited.stdoutCloseOnExecHere).toBe(true);
    expect(result.inherited.exit).toMatchObject({ exitCode: 0 });
    expect(fixtureLines(run), describeRun(run)).toContain('{"inherited":true}');
  });

  it('gives a setsid child that opens a terminal that terminal as controlling tty', () => {
    expect(result.terminal.withSetsid).toBe(String(result.terminal.slaveRdev));
    expect(result.terminal.withoutSetsid).toBe('0');
  });

  it('reports a failed exec as the SysError of posix_spawn, and bad specs before spawning', () => {
    expect(result.failures.missing).toMatchObject({ name: 'SysError', code: 'ENOENT', syscall: 'posix_spawn' });
    expect(result.failures.missing?.message).toContain('path="/no/such/program"');
    expect(result.failures.notExecutable).toMatchObject({ code: 'EACCES' });
    expect(result.failures.badCwd).toMatchObject({ code: 'ENOENT' });
    expect(result.failures.badCwd?.message).toContain('cwd="/no/such/dir"');
    expect(result.failures.emptyArgv).toMatchObject({ name: 'TypeError' });
    expect(result.failures.badEnvName?.message).toContain('"A=B"');
  });
});
