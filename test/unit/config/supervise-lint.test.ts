// Supervised processes: dependencies that name nothing or form a cycle, probes, main services, defaults.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { errorsOf, validate } from './validate-helpers';

const supervise = (processes: string): string => `postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n${processes}`;

describe('supervise handoff', () => {
  it('fills every default of a process', () => {
    const result = validateConfigText(supervise('      a: {program: /bin/a}\n'));
    const handoff = result.config?.postSwitch.handoff;
    expect(handoff?.mode === 'supervise' && handoff.processes['a']).toEqual({
      program: '/bin/a',
      workingDirectory: '/',
      type: 'longrun',
      main: false,
      backoff: { initial: '100ms', max: '30s', factor: 2 },
      startLimit: { count: 5, interval: '60s' },
      onFailed: 'ignore',
      stdout: 'console',
      stderr: 'console',
      stopSignal: 'SIGTERM',
      stopTimeout: '10s',
    });
  });

  it('an unknown dependency is an error with a suggestion, in either spelling', () => {
    expect(validate(supervise('      db: {program: /bin/db}\n      web: {program: /bin/web, dependsOn: [bd]}\n')).diagnostics).toEqual([
      expect.objectContaining({ code: 'unknown-dependency', pointer: '/postSwitch/handoff/processes/web/dependsOn/0', message: 'web depends on bd, which is not a process here; did you mean db?' }),
    ]);
    expect(errorsOf(supervise('      web: {program: /bin/web, dependsOn: {cache: ready}}\n'))).toEqual(['unknown-dependency /postSwitch/handoff/processes/web/dependsOn/cache']);
  });

  it('a dependency cycle is an error naming the cycle', () => {
    const text = supervise('      a: {program: /bin/a, dependsOn: [b]}\n      b: {program: /bin/b, dependsOn: {c: ready}}\n      c: {program: /bin/c, dependsOn: [a]}\n');
    expect(validate(text).diagnostics).toEqual([expect.objectContaining({ code: 'dependency-cycle', message: 'dependency cycle: a -> b -> c -> a' })]);
    expect(validate(supervise('      a: {program: /bin/a, dependsOn: [a]}\n')).diagnostics).toEqual([expect.objectContaining({ code: 'dependency-cycle', message: 'a depends on itself' })]);
  });

  it('conditions are checked, and waiting for a longrun to complete is a warning', () => {
    expect(errorsOf(supervise('      a: {program: /bin/a}\n      b: {program: /bin/b, dependsOn: {a: healthy}}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/b/dependsOn/a']);
    const warned = validate(supervise('      a: {program: /bin/a}\n      b: {program: /bin/b, dependsOn: {a: completed}}\n'));
    expect(warned.valid).toBe(true);
    expect(warned.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'invalid-value' })]);
  });

  it('a probe checks exactly one thing', () => {
    expect(errorsOf(supervise('      a: {program: /bin/a, readiness: {period: 1s}}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/readiness']);
    expect(errorsOf(supervise('      a: {program: /bin/a, liveness: {tcp: {port: 1}, http: {port: 2}}}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/liveness']);
    expect(errorsOf(supervise('      a: {program: /bin/a, readiness: {tcp: {port: 70000}}}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/readiness/tcp/port']);
  });

  it('at most one main process; signals, outputs and restart policies are checked', () => {
    expect(errorsOf(supervise('      a: {program: /bin/a, main: true}\n      b: {program: /bin/b, main: true}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/b/main']);
    expect(errorsOf(supervise('      a: {program: /bin/a, stopSignal: SIGFOO}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/stopSignal']);
    expect(errorsOf(supervise('      a: {program: /bin/a, stdout: {file: /var/log/a, maxSize: 10 MB}}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/stdout/maxSize']);
    expect(errorsOf(supervise('      a: {program: /bin/a, restart: sometimes}\n'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/restart']);
    expect(errorsOf(supervise('      a: {program: /bin/a, stderr: "null", stdout: console, restart: onFailure, stopSignal: INT}\n'))).toEqual([]);
  });
});
