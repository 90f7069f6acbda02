// PATH search and the words of a failed command, without processes (the real runs are in test/sys/children.test.ts).
import { describe, expect, it } from 'vitest';
import { failureOf } from '../../src/exec/handlers/hook';
import { ProgramNotFoundError, resolveProgram } from '../../src/exec/run-command';

const executables = new Set(['/usr/bin/env', '/bin/env', '/opt/tools/env', '/work/bin/tool']);
const isExecutable = (path: string): boolean => executables.has(path);

describe('resolveProgram', () => {
  it('takes the first executable along PATH', () => {
    expect(resolveProgram('env', '/usr/sbin:/usr/bin:/sbin:/bin', '/', isExecutable)).toBe('/usr/bin/env');
    expect(resolveProgram('env', '/opt/tools:/usr/bin', '/', isExecutable)).toBe('/opt/tools/env');
  });

  it('leaves a program with a slash alone, relative or not', () => {
    expect(resolveProgram('./tool', '/usr/bin', '/', isExecutable)).toBe('./tool');
    expect(resolveProgram('/no/such', '/usr/bin', '/', isExecutable)).toBe('/no/such');
  });

  it('reads empty and relative PATH entries against the working directory', () => {
    expect(resolveProgram('tool', '/usr/bin:', '/work/bin', isExecutable)).toBe('/work/bin/tool');
    expect(resolveProgram('tool', 'bin', '/work', isExecutable)).toBe('/work/bin/tool');
  });

  it('names the program and the PATH searched when nothing matches', () => {
    const call = (): string => resolveProgram('tool', '/usr/bin:/bin', '/', isExecutable);
    expect(call).toThrow(ProgramNotFoundError);
    expect(call).toThrow('program "tool" not found in PATH /usr/bin:/bin');
  });
});

describe('failureOf', () => {
  const base = { timedOut: false, durationMs: 1, inputWritten: 0 };
  it('is nothing for status 0 and says the status, the signal or the timeout otherwise', () => {
    expect(failureOf({ ...base, exit: { pid: 2, exitCode: 0 } }, undefined)).toBeUndefined();
    expect(failureOf({ ...base, exit: { pid: 2, exitCode: 3 } }, undefined)).toBe('exited with status 3');
    expect(failureOf({ ...base, exit: { pid: 2, signal: 9, signalName: 'SIGKILL', coreDumped: false } }, undefined)).toBe('was killed by SIGKILL');
    expect(failureOf({ ...base, exit: { pid: 2, signal: 6, signalName: 'SIGABRT', coreDumped: true } }, undefined)).toBe('was killed by SIGABRT (core dumped)');
    // A command that exits 0 on SIGTERM still ran out of time.
    expect(failureOf({ ...base, timedOut: true, exit: { pid: 2, exitCode: 0 } }, 500)).toBe('timed out after 500ms and was killed');
  });
});
