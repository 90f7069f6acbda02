// What one control-socket client may cost PID 1: idle connections, the connection limit, and pipelining without reading.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendRequest } from '../../src/ctl/client';
import { startControlServer, type ControlLog, type ControlServer } from '../../src/ctl/server';
import { fakeControl, type FakeControl } from './fake-control';

function recordingLog(): ControlLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (text) => lines.push(`debug: ${text}`), info: (text) => lines.push(`info: ${text}`), warn: (text) => lines.push(`warn: ${text}`) };
}

/** A connected client socket that the test holds open (`closed` once the server closed it). */
async function open(socketPath: string): Promise<Socket> {
  const socket = connect(socketPath);
  socket.on('error', () => {});
  await new Promise<void>((resolvePromise) => socket.on('connect', resolvePromise));
  return socket;
}

/** Resolves once `condition` holds, polling the event loop; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
}

/** `promise`, or a rejection after `ms`: a lock-out must fail the test, not hang it. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);
}

let dir: string;
let path: string;
let control: FakeControl;
let log: ReturnType<typeof recordingLog>;
let server: ControlServer | undefined;
const held: Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-ctl-limits-'));
  path = join(dir, 'control.sock');
  control = fakeControl();
  log = recordingLog();
});

afterEach(async () => {
  for (const socket of held.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('idle connections', () => {
  it('64 idle connections do not lock ctl out: the one idle longest makes room for a new client', async () => {
    server = await startControlServer({ path, control, log });
    for (let count = 0; count < 64; count++) held.push(await open(path));
    expect(await within(sendRequest({ op: 'status' }, { path }), 5000)).toMatchObject({ ok: true });
    await until(() => held[0]!.closed, 'the oldest idle connection to be closed');
    expect(held.slice(1).every((socket) => !socket.closed)).toBe(true);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn: control socket: 64 connections are open; closing the one idle longest/));
  });

  it('closes a connection that sent no complete request within the idle timeout, and keeps one that asks', async () => {
    // A stop that takes three idle timeouts.
    const slowStop = { ...control, stopService: (name: string) => new Promise<void>((resolvePromise) => setTimeout(resolvePromise, 600)).then(() => control.stopService(name)) };
    server = await startControlServer({ path, control: slowStop, log, limits: { idleTimeoutMs: 200 } });
    const silent = await open(path);
    const partial = await open(path);
    partial.write('{"op":"sta');
    held.push(silent, partial);
    const started = Date.now();
    await until(() => silent.closed && partial.closed, 'the idle connections to be closed', 3000);
    expect(Date.now() - started).toBeLessThan(2000);
    // A client waiting for its answer is not idle: a stop that takes longer than the idle timeout is answered.
    expect(await sendRequest({ op: 'stop', name: 'db' }, { path })).toEqual({ ok: true });
    expect(control.calls).toEqual(['stop db']);
  });

  it('when every connection is busy following logs, refuses the newcomer with an error instead of dropping one', async () => {
    server = await startControlServer({ path, control, log, limits: { maxConnections: 4 } });
    for (let count = 0; count < 4; count++) {
      const follower = await open(path);
      follower.write('{"op":"logs","name":"db","follow":true}\n');
      held.push(follower);
    }
    await until(() => control.followers('db') === 4, 'four followers');
    expect(await sendRequest({ op: 'status' }, { path })).toEqual({ ok: false, error: 'too many connections: all 4 are in use; try again later' });
    expect(control.followers('db')).toBe(4);
  });
});

describe('a client that pipelines requests and never reads', () => {
  it('is paused while its answers are not drained, then closed; PID 1 never answers more than the socket buffers hold', async () => {
    server = await startControlServer({ path, control, log, limits: { drainTimeoutMs: 300 } });
    const flood = await open(path);
    held.push(flood);
    flood.pause();
    const request = Buffer.from('{"op":"status"}\n'.repeat(4096));
    // Requests as fast as the socket takes them, up to 16 MiB (a million; each answer is some 500 bytes).
    let written = 0;
    while (written < 16 * 1024 * 1024 && !flood.closed) {
      if (!flood.write(request)) await Promise.race([new Promise((resolvePromise) => flood.once('drain', resolvePromise)), new Promise((resolvePromise) => setTimeout(resolvePromise, 100))]);
      written += request.length;
      if (flood.writableLength > 32 * 1024 * 1024) break;
    }
    await until(() => flood.closed, 'the server to close the connection', 5000);
    const served = control.calls.filter((call) => call === 'status').length;
    // What fits in the kernel's socket buffers and one stream high-water mark, not a million answers.
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(5000);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn: control socket: pid \d+ does not read its answers \(none drained within 300ms\); closing the connection$/));
    expect(await sendRequest({ op: 'status' }, { path })).toMatchObject({ ok: true });
  });
});
