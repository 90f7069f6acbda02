// The client's own bound: against a server that accepts and never answers, `sendRequest` and `bootstrap ctl` give up in time.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io';
import { ctlVerb } from '../../src/cli/verbs/ctl';
import { ControlTimeoutError, followLogs, sendRequest } from '../../src/ctl/client';
import { startControlServer } from '../../src/ctl/server';
import { fakeControl } from './fake-control';

/** `promise`, or a rejection after `ms`: a test of a missing timeout must not wait for vitest's. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);
}

/** Runs `bootstrap ctl ...args` in-process and captures what it printed. */
async function ctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), readInput: () => ({ ok: true, bytes: new Uint8Array() }), readOptional: () => undefined };
  const code = await ctlVerb.run(args, io);
  return { code, stdout, stderr };
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-ctl-timeout-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the client against a silent server', () => {
  let silent: Server;
  let silentPath: string;
  const accepted: Socket[] = [];
  beforeEach(async () => {
    silentPath = join(dir, 'silent.sock');
    // Accepts, reads, and never answers.
    silent = createServer((socket) => void accepted.push(socket.resume()));
    await new Promise<void>((resolvePromise) => silent.listen(silentPath, resolvePromise));
  });
  afterEach(async () => {
    for (const socket of accepted.splice(0)) socket.destroy();
    await new Promise((resolvePromise) => silent.close(resolvePromise));
  });

  it('gives up after its timeout, naming the socket and the timeout', async () => {
    const started = Date.now();
    const error = await within(sendRequest({ op: 'status' }, { path: silentPath, timeoutMs: 300 }), 5000).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ControlTimeoutError);
    expect((error as Error).message).toBe(`the supervisor at ${silentPath} did not answer within 300ms`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('bootstrap ctl --timeout exits 2 naming the socket and the timeout; help gives the default', async () => {
    const started = Date.now();
    expect(await within(ctl('--socket', silentPath, '--timeout', '300ms', 'status'), 5000)).toEqual({
      code: 2,
      stdout: '',
      stderr: `bootstrap ctl: the supervisor at ${silentPath} did not answer within 300ms (--timeout)\n`,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await ctl('--help')).stdout).toMatch(/--timeout DURATION +how long to wait for the answer \(default 10s/);
    await expect(ctl('--timeout', 'soon', 'status')).rejects.toThrow('--timeout must be a duration such as 500ms, 10s or 2m, not "soon"');
  });
});

describe('the client against a live server', () => {
  it('bounds a follow only until its first lines: the stream goes on past the timeout', async () => {
    const path = join(dir, 'control.sock');
    const control = fakeControl();
    const server = await startControlServer({ path, control, log: { debug: () => {}, info: () => {}, warn: () => {} } });
    try {
      const seen: string[] = [];
      const abort = new AbortController();
      const done = followLogs('db', 1, (line) => seen.push(line), { path, signal: abort.signal, timeoutMs: 200 });
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 400));
      control.emit('db', 'db 4');
      for (let tries = 0; seen.length < 2 && tries < 200; tries++) await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
      abort.abort();
      expect(await done).toEqual({ ok: true, lines: ['db 3'] });
      expect(seen).toEqual(['db 3', 'db 4']);
    } finally {
      await server.close();
    }
  });
});
