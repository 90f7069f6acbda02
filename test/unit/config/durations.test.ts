// Durations longer than a timer can wait, and numbers that are not finite or not exact, are refused at validation.
import { describe, expect, it } from 'vitest';
import schema from '../../../schema/bootstrap.schema.json';
import { MAX_DURATION_MS, parseDuration } from '../../../src/config/duration';
import { errorsOf, minimal, validate } from './validate-helpers';

// Every field of the config that is a duration, set to `value`.
const everyDuration = (value: string): string => `preSwitch:
  mounts: [{type: tmpfs, target: /scratch, timeout: ${value}}]
  hooks: [{command: /bin/true, timeout: ${value}, onFailure: Retry, retryDelay: ${value}}]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: root, timeout: ${value}}
postSwitch:
  handoff:
    mode: supervise
    shutdownTimeout: ${value}
    bootScript: {path: /etc/rc, timeout: ${value}, retryDelay: ${value}}
    processes:
      a:
        program: /bin/a
        backoff: {initial: ${value}, max: ${value}}
        startLimit: {interval: ${value}}
        stopTimeout: ${value}
        readiness: {tcp: {port: 1}, period: ${value}, timeout: ${value}, initialDelay: ${value}}
network:
  waitOnline: ${value}
`;

// The names of the properties the schema declares as durations, wherever they are.
function durationProperties(node: unknown, found = new Set<string>()): Set<string> {
  if (node === null || typeof node !== 'object') return found;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      for (const [name, property] of Object.entries(value as Record<string, { $ref?: string }>)) if (property.$ref === '#/$defs/duration') found.add(name);
    }
    durationProperties(value, found);
  }
  return found;
}

describe('durations', () => {
  it('the longest a timer holds is 2^31-1 ms', () => {
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
    expect(parseDuration('596h')).toBe(2_145_600_000);
    expect(() => parseDuration('1000h')).toThrow(/at most/);
  });

  it('every duration field of the schema is checked against it', () => {
    const result = validate(everyDuration('1000h'));
    expect(result.valid).toBe(false);
    const pointers = result.diagnostics.map((diagnostic) => diagnostic.pointer);
    expect(pointers).toEqual([
      '/preSwitch/mounts/0/timeout',
      '/preSwitch/hooks/0/timeout',
      '/preSwitch/hooks/0/retryDelay',
      '/switchRoot/rootFileSystem/timeout',
      '/postSwitch/handoff/shutdownTimeout',
      '/postSwitch/handoff/bootScript/timeout',
      '/postSwitch/handoff/bootScript/retryDelay',
      '/postSwitch/handoff/processes/a/backoff/initial',
      '/postSwitch/handoff/processes/a/backoff/max',
      '/postSwitch/handoff/processes/a/startLimit/interval',
      '/postSwitch/handoff/processes/a/stopTimeout',
      '/postSwitch/handoff/processes/a/readiness/period',
      '/postSwitch/handoff/processes/a/readiness/timeout',
      '/postSwitch/handoff/processes/a/readiness/initialDelay',
      '/network/waitOnline',
    ]);
    // A duration field added to the schema must be added to everyDuration too.
    expect(new Set(pointers.map((pointer) => pointer.split('/').at(-1)))).toEqual(durationProperties(schema));
    expect(validate(everyDuration('596h')).valid).toBe(true);
  });

  it('says where, and what the maximum is', () => {
    const text = `${minimal}    bootScript: {path: /etc/rc, timeout: 1000h}\n`;
    expect(validate(text).diagnostics).toEqual([
      {
        code: 'invalid-value',
        severity: 'error',
        pointer: '/postSwitch/handoff/bootScript/timeout',
        line: 5,
        column: 42,
        message: '`timeout` must be at most 596h (2147483647ms, about 24.8 days: the longest a timer can wait), not "1000h"',
      },
    ]);
  });

  it('refuses the first millisecond over the maximum, and numbers too long to be finite', () => {
    const timeout = (value: string): string[] => errorsOf(`${minimal}    bootScript: {path: /etc/rc, timeout: "${value}"}\n`);
    expect(timeout('2147483647ms')).toEqual([]);
    expect(timeout('2147483648ms')).toEqual(['invalid-value /postSwitch/handoff/bootScript/timeout']);
    expect(timeout(`${'9'.repeat(400)}ms`)).toEqual(['invalid-value /postSwitch/handoff/bootScript/timeout']);
    expect(timeout(`1.${'5'.repeat(400)}s`)).toEqual([]);
  });
});

describe('numbers', () => {
  const supervise = (process: string): string => `postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n      a: {program: /bin/a, ${process}}\n`;

  it('refuses .nan, .inf and numbers beyond the double range wherever they are', () => {
    expect(errorsOf(supervise('backoff: {factor: .nan}'))).toEqual(['invalid-value /postSwitch/handoff/processes/a/backoff/factor']);
    expect(errorsOf(supervise('environment: {A: .inf, B: -.inf, C: 1e400}'))).toEqual([
      'invalid-value /postSwitch/handoff/processes/a/environment/A',
      'invalid-value /postSwitch/handoff/processes/a/environment/B',
      'invalid-value /postSwitch/handoff/processes/a/environment/C',
    ]);
    const nan = validate(supervise('arguments: [.nan]')).diagnostics;
    expect(nan).toEqual([expect.objectContaining({ pointer: '/postSwitch/handoff/processes/a/arguments/0', line: 5, column: 40, message: 'item 1 of `arguments` must be a finite number, not .nan' })]);
  });

  it('refuses integers too large to be exact, and says to quote them', () => {
    expect(validate(supervise('environment: {ID: 12345678901234567890}')).diagnostics).toEqual([
      expect.objectContaining({ pointer: '/postSwitch/handoff/processes/a/environment/ID', message: '`ID` is too large to be exact as a number (it reads as 12345678901234567000); quote it to keep every digit' }),
    ]);
    expect(errorsOf(supervise('environment: {ID: 9007199254740991}'))).toEqual([]);
  });
});
