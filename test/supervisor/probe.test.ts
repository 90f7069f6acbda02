// TCP and HTTP checks against real local servers: pass, fail, timeout; and the probe's schedule.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Children } from '../../src/exec/children';
import type { Sys } from '../../src/sys/index';
import { checkOnce, startProbe, type ProbeContext } from '../../src/supervisor/probe';

// TCP and HTTP checks need neither; an exec check here would be a bug.
const context: ProbeContext = { children: {} as Children, sys: {} as Sys, env: {}, cwd: '/' };
const servers: (Server | HttpServer)[] = [];

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: one a server had a moment ago. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('checkOnce', () => {
  it('tcp passes on a listening port and fails on a closed one', async () => {
    const port = await listen(createServer((socket) => socket.end()));
    expect(await checkOnce({ kind: 'tcp', host: '127.0.0.1', port }, 1000, context)).toBe(true);
    expect(await checkOnce({ kind: 'tcp', host: '127.0.0.1', port: await closedPort() }, 1000, context)).toBe(false);
  });

  it('http passes on 2xx and 3xx, fails on 4xx/5xx, a closed port and an answer later than the timeout', async () => {
    const port = await listen(
      createHttpServer((request, response) => {
        const status = Number(request.url?.slice(1));
        if (status === 0) return void setTimeout(() => response.end(), 2000);
        response.writeHead(status, { location: '/' });
        response.end();
      }),
    );
    const get = (path: string, timeoutMs = 1000): Promise<boolean> => checkOnce({ kind: 'http', host: '127.0.0.1', port, path }, timeoutMs, context);
    expect(await Promise.all(['/200', '/204', '/302', '/404', '/500'].map((path) => get(path)))).toEqual([true, true, true, false, false]);
    const started = performance.now();
    expect(await get('/0', 200)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await checkOnce({ kind: 'http', host: '127.0.0.1', port: await closedPort(), path: '/' }, 1000, context)).toBe(false);
  });
});

describe('startProbe', () => {
  it('checks after the initial delay, then every period, until stopped', async () => {
    const port = await listen(createServer((socket) => socket.end()));
    const results: { passed: boolean; at: number }[] = [];
    const started = performance.now();
    const stop = startProbe({ check: { kind: 'tcp', host: '127.0.0.1', port }, periodMs: 50, timeoutMs: 500, failureThreshold: 1, initialDelayMs: 200 }, context, (passed) => results.push({ passed, at: performance.now() - started }));
    await new Promise((resolve) => setTimeout(resolve, 190));
    expect(results).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 310));
    stop();
    const count = results.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(count).toBeLessThanOrEqual(7);
    expect(results.every((result) => result.passed)).toBe(true);
    expect(results[0]!.at).toBeGreaterThanOrEqual(199);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(results).toHaveLength(count);
  });
});
