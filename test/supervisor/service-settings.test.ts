// Settings parsed from a validated process, and the pure restart arithmetic.
import { describe, expect, it } from 'vitest';
import { admitStart, backoffDelay, shouldRestart } from '../../src/supervisor/restart-policy';
import { parseSize, serviceSettings, signalOf } from '../../src/supervisor/service-settings';
import type { Process } from '../../src/config/generated/config-types';

const minimal: Process = {
  program: '/usr/bin/app',
  workingDirectory: '/',
  type: 'oneshot',
  main: false,
  backoff: { initial: '100ms', max: '30s', factor: 2 },
  startLimit: { count: 5, interval: '60s' },
  onFailed: 'ignore',
  stdout: { file: '/var/log/app.log' },
  stderr: { file: '/var/log/app.err', maxSize: '512k', maxFiles: 0 },
  stopSignal: 'HUP',
  stopTimeout: '10s',
};

describe('serviceSettings', () => {
  it('fills what the schema leaves open: restart by type, file output defaults, signal names', () => {
    const settings = serviceSettings('app', minimal, { PATH: '/bin' });
    expect(settings).toMatchObject({
      restart: 'never',
      stdout: { kind: 'file', file: '/var/log/app.log', maxSize: 10 * 1024 * 1024, maxFiles: 3 },
      stderr: { kind: 'file', maxSize: 512 * 1024, maxFiles: 0 },
      stopSignal: 'SIGHUP',
      stopTimeoutMs: 10_000,
      backoff: { initialMs: 100, maxMs: 30_000, factor: 2 },
      startLimit: { count: 5, intervalMs: 60_000 },
      env: { PATH: '/bin' },
      unsupported: null,
    });
    expect(serviceSettings('app', { ...minimal, type: 'longrun' }, {}).restart).toBe('always');
  });

  it('turns probes into checks with milliseconds', () => {
    const settings = serviceSettings('app', { ...minimal, readiness: { http: { host: 'localhost', port: 80, path: '/health' }, period: '2s', timeout: '500ms', failureThreshold: 3, initialDelay: '1s' }, liveness: { exec: { command: '/bin/check', arguments: ['-q', 1] }, period: '10s', timeout: '1s', failureThreshold: 2, initialDelay: '0s' } }, {});
    expect(settings.readiness).toEqual({ check: { kind: 'http', host: 'localhost', port: 80, path: '/health' }, periodMs: 2000, timeoutMs: 500, failureThreshold: 3, initialDelayMs: 1000 });
    expect(settings.liveness?.check).toEqual({ kind: 'exec', argv: ['/bin/check', '-q', '1'] });
  });

  it('parses sizes in powers of 1024 and rejects anything else', () => {
    expect([parseSize('0'), parseSize('512'), parseSize('1k'), parseSize('10M'), parseSize('2g')]).toEqual([0, 512, 1024, 10 * 1024 ** 2, 2 * 1024 ** 3]);
    expect(() => parseSize('10 MB')).toThrow('not a size: "10 MB"');
  });

  it('names the service for an unknown stop signal', () => {
    expect(signalOf('web', 'term')).toBe('SIGTERM');
    expect(() => signalOf('web', 'SIGNOPE')).toThrow('process web: stopSignal "SIGNOPE" is not a signal name');
  });
});

describe('restart arithmetic', () => {
  it('restarts by policy: a signal (128+n) is a failure', () => {
    expect([0, 1, 143].map((status) => shouldRestart('onFailure', status))).toEqual([false, true, true]);
    expect([0, 1].map((status) => shouldRestart('always', status))).toEqual([true, true]);
    expect([0, 1].map((status) => shouldRestart('never', status))).toEqual([false, false]);
  });

  it('grows the backoff by factor up to max', () => {
    const backoff = { initialMs: 100, maxMs: 1000, factor: 3 };
    expect([0, 1, 2, 3, 10].map((attempt) => backoffDelay(backoff, attempt))).toEqual([100, 300, 900, 1000, 1000]);
  });

  it('admits count starts within the interval and forgets older ones', () => {
    const starts: number[] = [];
    const limit = { count: 2, intervalMs: 1000 };
    expect([admitStart(starts, 0, limit), admitStart(starts, 500, limit), admitStart(starts, 900, limit)]).toEqual([true, true, false]);
    expect(admitStart(starts, 1000, limit)).toBe(true);
    expect(starts).toEqual([500, 1000]);
  });
});
