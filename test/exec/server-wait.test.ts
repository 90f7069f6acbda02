// The wait for an NFS server before mount(2): every port must take a connection; refusals are retried until the mount's
// timeout, and then the error names the call, the errno, the server, its export and the port.
import { describe, expect, it } from 'vitest';
import { waitForServer } from '../../src/exec/server-wait';
import { SysError, type TcpAttempt } from '../../src/sys/index';

const wait = { kind: 'server' as const, server: '10.0.2.2', export: '/srv/root', ports: [2049, 20048], versions: ['3'], timeoutMs: 600 };

/** A fake connect that answers from a script per port, repeating its last answer, and records what was asked. */
function connects(script: Map<number, TcpAttempt[]>): { tryTcpConnect: (spec: { port: number; timeoutMs: number }) => Promise<TcpAttempt>; asked: { port: number; timeoutMs: number }[] } {
  const asked: { port: number; timeoutMs: number }[] = [];
  return {
    asked,
    tryTcpConnect: (spec) => {
      asked.push({ port: spec.port, timeoutMs: spec.timeoutMs });
      const answers = script.get(spec.port) ?? [];
      return Promise.resolve(answers.length > 1 ? answers.shift()! : (answers[0] ?? { connected: false, code: 'ECONNREFUSED' }));
    },
  };
}

describe('waiting for an NFS server', () => {
  it('asks again after a refusal until each port answers', async () => {
    const sys = connects(new Map([[2049, [{ connected: false, code: 'ECONNREFUSED' }, { connected: true }]], [20048, [{ connected: true }]]]));
    await expect(waitForServer(wait, sys)).resolves.toEqual({ attempts: 3 });
    expect(sys.asked.map((attempt) => attempt.port)).toEqual([2049, 2049, 20048]);
    // No attempt may outlast the time left.
    expect(sys.asked.every((attempt) => attempt.timeoutMs > 0 && attempt.timeoutMs <= wait.timeoutMs)).toBe(true);
  });

  it('gives up at the timeout with connect\'s errno, naming server, export and port', async () => {
    const sys = connects(new Map([[2049, [{ connected: true }]], [20048, [{ connected: false, code: 'EHOSTUNREACH' }]]]));
    const started = performance.now();
    const error = await waitForServer(wait, sys).catch((caught: unknown) => caught);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(SysError);
    expect((error as SysError).code).toBe('EHOSTUNREACH');
    expect((error as SysError).message).toMatch(/^connect\(address="10\.0\.2\.2", port=20048\): EHOSTUNREACH .*NFS server 10\.0\.2\.2 \(export \/srv\/root\) did not take a TCP connection on port 20048 within 600ms \(timeout\), \d+ tries/);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(600 + 500);
  });

  it('names the errno the server gave, not the timeout of a last attempt the deadline cut short', async () => {
    let calls = 0;
    const sys = {
      tryTcpConnect: (spec: { timeoutMs: number }): Promise<TcpAttempt> => {
        calls += 1;
        // Refused at once, until the time left is shorter than a whole attempt: that one ends at its own deadline.
        return spec.timeoutMs < 2000 ? new Promise((resolve) => setTimeout(() => resolve({ connected: false, code: 'ETIMEDOUT' }), spec.timeoutMs)) : Promise.resolve({ connected: false, code: 'ECONNREFUSED' });
      },
    };
    const error = await waitForServer({ ...wait, ports: [2049], timeoutMs: 2600 }, sys).catch((caught: unknown) => caught);
    expect(calls).toBeGreaterThan(1);
    expect((error as SysError).code).toBe('ECONNREFUSED');
  });
});
