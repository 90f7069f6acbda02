// sethostname, setsid and execve for real, as PID 1 of fresh PID and UTS namespaces.
import { describe, expect, it } from 'vitest';
import { describe as describeRun, fixtureLines, runFixture } from './run-fixture';

describe('process calls', () => {
  it('sets the host name of its own UTS namespace and starts a session', () => {
    const run = runFixture('process');
    const [line] = fixtureLines(run);
    expect(line, describeRun(run)).toBeDefined();
    const result = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(result).toMatchObject({
      hostname: 'bootstrap-sys-test',
      kernelHostname: 'bootstrap-sys-test',
      pid: 1,
      newSession: 1,
      sessionAfter: 1,
      secondSetsid: { name: 'SysError', code: 'EPERM', syscall: 'setsid' },
      emptyHostname: { name: 'TypeError' },
      longHostname: { name: 'TypeError' },
    });
    // PID 1 of a new PID namespace starts in a session from outside it, which reads as 0.
    expect(result['sessionBefore']).toBe(0);
  });

  it('execve replaces the process, keeping its pid, with exactly the given argv and environment', () => {
    const run = runFixture('exec');
    const lines = fixtureLines(run).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(run.status, describeRun(run)).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      missing: { name: 'SysError', code: 'ENOENT', syscall: 'execve', message: 'execve(path="/no/such/program", argv="x"): ENOENT (No such file or directory)' },
      pid: 1,
    });
    // sh adds PWD to the one variable we gave it.
    expect(lines[1]).toEqual({ pid: 1, greeting: 'hello world', argv0: 'sh', envCount: 2 });
  });

  it('an exec after Node leaves stdio close-on-exec loses its output unless the flag is cleared', () => {
    const run = runFixture('exec', ['keep-cloexec']);
    const lines = fixtureLines(run).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ closeOnExecBefore: [true, true, true] });
    expect(lines).toHaveLength(1);
    expect(run.status).not.toBe(0);
  });
});
