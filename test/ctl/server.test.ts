// The control socket for real: a unix socket in a temp dir, the real client, a fake supervisor behind it.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followLogs, sendRequest } from '../../src/ctl/client';
import { MAX_LINE_BYTES } from '../../src/ctl/protocol';
import { startControlServer, type ControlLog, type ControlServer } from '../../src/ctl/server';
import { fakeControl, type FakeControl } from './fake-control';

const root = resolve(import.meta.dirname, '../..');
const node = join(root, 'node_modules/.bin/node');
const execFileAsync = promisify(execFile);

interface RecordingLog extends ControlLog {
  lines: string[];
}

function recordingLog(): RecordingLog {
  const lines: string[] = [];
  return { lines, debug: (text) => lines.push(`debug: ${text}`), info: (text) => lines.push(`info: ${text}`), warn: (text) => lines.push(`warn: ${text}`) };
}

/** Writes `bytes` (and with `finish`, ends its side), then collects the lines the server sends until the connection closes. */
function rawExchange(path: string, bytes: string | Buffer, finish: boolean): Promise<{ lines: unknown[]; error?: string }> {
  return new Promise((resolvePromise) => {
    const socket = connect(path);
    let text = '';
    let error: string | undefined;
    socket.on('connect', () => (finish ? socket.end(bytes) : socket.write(bytes)));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', (cause: NodeJS.ErrnoException) => (error = cause.code ?? cause.message));
    socket.on('close', () => {
      const lines = text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown);
      resolvePromise(error === undefined ? { lines } : { lines, error });
    });
  });
}

/** Resolves once `condition` holds, polling the event loop. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (condition()) return;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let dir: string;
let path: string;
let control: FakeControl;
let log: RecordingLog;
let server: ControlServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-ctl-'));
  path = join(dir, 'run/bootstrap/control.sock');
  control = fakeControl();
  log = recordingLog();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the control socket', () => {
  it('creates its directory 0700 and the socket 0600, and removes the socket on close', async () => {
    server = await startControlServer({ path, control, log });
    expect(statSync(join(dir, 'run/bootstrap')).mode & 0o7777).toBe(0o700);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(lstatSync(path).mode & 0o7777).toBe(0o600);
    await server.close();
    server = undefined;
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
  });

  it('round-trips every operation', async () => {
    server = await startControlServer({ path, control, log });
    const status = await sendRequest({ op: 'status' }, { path });
    expect(status).toEqual({ ok: true, services: control.status() });
    expect(await sendRequest({ op: 'start', name: 'db' }, { path })).toEqual({ ok: true });
    expect(await sendRequest({ op: 'stop', name: 'db' }, { path })).toEqual({ ok: true });
    expect(await sendRequest({ op: 'restart', name: 'db' }, { path })).toEqual({ ok: true });
    expect(await sendRequest({ op: 'logs', name: 'db', lines: 2, follow: false }, { path })).toEqual({ ok: true, lines: ['db 2', 'db 3'] });
    expect(await sendRequest({ op: 'poweroff' }, { path })).toEqual({ ok: true });
    expect(await sendRequest({ op: 'reboot' }, { path })).toEqual({ ok: true });
    expect(control.calls).toEqual(['status', 'status', 'start db', 'stop db', 'restart db', 'logs db 2', 'poweroff', 'reboot']);
    expect(log.lines).toContainEqual(expect.stringMatching(/^info: control socket: pid \d+ asks stop db$/));
  });

  it('answers an unknown service and a failing operation with errors, and stays up', async () => {
    server = await startControlServer({ path, control, log });
    expect(await sendRequest({ op: 'start', name: 'nope' }, { path })).toEqual({ ok: false, error: 'no service named "nope"; services: db, web' });
    expect(await sendRequest({ op: 'stop', name: 'web' }, { path })).toEqual({ ok: false, error: 'web did not stop: still running after SIGKILL' });
    expect(await sendRequest({ op: 'logs', name: 'nope', lines: 5, follow: true }, { path })).toEqual({ ok: false, error: 'no service named "nope"; services: db, web' });
    expect(log.lines).toContain('warn: control socket: stop failed: web did not stop: still running after SIGKILL');
    expect(await sendRequest({ op: 'status' }, { path })).toMatchObject({ ok: true });
  });

  it('answers bad requests with errors, each on its own line, in order, on one connection', async () => {
    server = await startControlServer({ path, control, log });
    const requests = [
      'not json',
      '[1]',
      '{}',
      '{"op":"explode"}',
      '{"op":"stop"}',
      '{"op":"stop","name":""}',
      '{"op":"status","extra":1}',
      '{"op":"logs","name":"db","lines":-1}',
      '{"op":"logs","name":"db","follow":"yes"}',
      '{"op":"status"}',
    ];
    const { lines } = await rawExchange(path, `${requests.join('\n')}\n`, true);
    expect(lines).toEqual([
      { ok: false, error: expect.stringMatching(/^a request must be one JSON object per line: /) as unknown },
      { ok: false, error: 'a request must be a JSON object' },
      { ok: false, error: 'a request needs "op", one of status, start, stop, restart, logs, poweroff, reboot' },
      { ok: false, error: 'unknown op "explode"; known: status, start, stop, restart, logs, poweroff, reboot' },
      { ok: false, error: 'stop: missing "name" (the service to stop)' },
      { ok: false, error: 'stop: "name" must be a non-empty string, not ""' },
      { ok: false, error: 'status: unknown field "extra"' },
      { ok: false, error: 'logs: "lines" must be an integer from 0 to 100000, not -1' },
      { ok: false, error: 'logs: "follow" must be true or false, not "yes"' },
      { ok: true, services: control.status() },
    ]);
  });

  it('answers a request line over 64 KiB with an error and closes the connection, then serves the next client', async () => {
    server = await startControlServer({ path, control, log });
    const huge = `{"op":"status","pad":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    const result = await rawExchange(path, `{"op":"status"}\n${huge}\n{"op":"status"}\n`, false);
    expect(result.error).toBeUndefined();
    expect(result.lines).toEqual([{ ok: true, services: control.status() }, { ok: false, error: `request too long: a request line may hold at most ${MAX_LINE_BYTES} bytes` }]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn: control socket: pid \d+ sent a request longer than 65536 bytes/));
    // Exactly the limit is still a line the server reads (and refuses for its content).
    const atLimit = `{"op":"status","pad":"${'x'.repeat(MAX_LINE_BYTES - 24)}"}`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_LINE_BYTES);
    expect((await rawExchange(path, `${atLimit}\n`, true)).lines).toEqual([{ ok: false, error: 'status: unknown field "pad"' }]);
    expect(await sendRequest({ op: 'status' }, { path })).toMatchObject({ ok: true });
  });

  it('survives clients that vanish mid-request', async () => {
    server = await startControlServer({ path, control, log });
    for (let round = 0; round < 20; round++) {
      const socket = connect(path);
      socket.on('error', () => {});
      await new Promise<void>((resolvePromise) => socket.on('connect', resolvePromise));
      socket.write('{"op":"stop","name":"db"}\n{"op":"sta');
      socket.destroy();
    }
    await until(() => control.calls.filter((call) => call === 'stop db').length === 20, 'every stop to run');
    expect(await sendRequest({ op: 'status' }, { path })).toMatchObject({ ok: true });
  });

  it('follows logs: the last lines, then new ones, until the client closes', async () => {
    server = await startControlServer({ path, control, log });
    const seen: string[] = [];
    const abort = new AbortController();
    const done = followLogs('db', 2, (line) => seen.push(line), { path, signal: abort.signal });
    await until(() => control.followers('db') === 1 && seen.length === 2, 'the follower to subscribe');
    control.emit('db', 'db 4');
    control.emit('web', 'not db');
    control.emit('db', 'db 5');
    await until(() => seen.length === 4, 'the streamed lines');
    expect(seen).toEqual(['db 2', 'db 3', 'db 4', 'db 5']);
    abort.abort();
    expect(await done).toEqual({ ok: true, lines: ['db 2', 'db 3'] });
    await until(() => control.followers('db') === 0, 'the server to unsubscribe');
    expect(control.calls.slice(-3)).toEqual(['logs db 2', 'follow db', 'unfollow db']);
  });

  it('ends a follow when the server closes, and drops every follower on close', async () => {
    server = await startControlServer({ path, control, log });
    const seen: string[] = [];
    const done = followLogs('web', 10, (line) => seen.push(line), { path });
    await until(() => control.followers('web') === 1, 'the follower to subscribe');
    control.emit('web', 'hello');
    await until(() => seen.length === 1, 'the streamed line');
    await server.close();
    server = undefined;
    expect(await done).toEqual({ ok: true, lines: [] });
    expect(control.followers('web')).toBe(0);
  });

  it('removes a stale socket file, but refuses to replace a live socket or a non-socket', async () => {
    const stale = join(dir, 'stale.sock');
    // A process that exits without closing its server leaves the file behind.
    const left = spawnSync(node, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
    expect(left.status).toBe(0);
    expect(lstatSync(stale).isSocket()).toBe(true);
    server = await startControlServer({ path: stale, control, log });
    expect(await sendRequest({ op: 'status' }, { path: stale })).toMatchObject({ ok: true });

    await expect(startControlServer({ path: stale, control, log })).rejects.toThrow(`control socket ${stale}: another process is already listening there`);
    const file = join(dir, 'file.sock');
    writeFileSync(file, 'mine');
    await expect(startControlServer({ path: file, control, log })).rejects.toThrow(`control socket ${file}: the path exists and is not a socket`);
  });

  it('names the path and cause when it cannot listen', async () => {
    const long = join(dir, 'x'.repeat(120));
    await expect(startControlServer({ path: long, control, log })).rejects.toThrow(`control socket ${long}: cannot listen: `);
    const blocked = join(dir, 'file');
    writeFileSync(blocked, '');
    await expect(startControlServer({ path: join(blocked, 'control.sock'), control, log })).rejects.toThrow(
      `control socket ${join(blocked, 'control.sock')}: cannot create its directory: `,
    );
  });

  it('never lets a client error reach the process: a client that stops reading while following is dropped', async () => {
    server = await startControlServer({ path, control, log });
    const socket = connect(path);
    socket.on('error', () => {});
    await new Promise<void>((resolvePromise) => socket.on('connect', resolvePromise));
    socket.write('{"op":"logs","name":"db","follow":true}\n');
    await until(() => control.followers('db') === 1, 'the follower to subscribe');
    socket.pause();
    const line = 'y'.repeat(4096);
    for (let count = 0; count < 2000 && control.followers('db') > 0; count++) {
      control.emit('db', line);
      await new Promise((resolvePromise) => setImmediate(resolvePromise));
    }
    await until(() => control.followers('db') === 0, 'the slow follower to be dropped');
    expect(log.lines).toContain("warn: control socket: a client following db's logs reads too slowly; dropping it");
    socket.destroy();
  });
});

describe('the peer check', () => {
  const nobody = '65534';
  // Asynchronously: the server under test runs in this process and must keep answering meanwhile.
  const ask = async (socket: string, request: object): Promise<Record<string, unknown>> => {
    const command = ['--import', 'tsx', join(root, 'test/ctl/fixtures/ask.ts'), nobody, socket, JSON.stringify(request)];
    const { stdout, stderr } = await execFileAsync(node, command, { cwd: root, encoding: 'utf8', timeout: 20_000 }).catch((error: unknown) => {
      throw new Error(`ask.ts failed: ${String(error)}`);
    });
    const line = stdout.trim().split('\n').at(-1);
    if (line === undefined || !line.startsWith('{')) throw new Error(`ask.ts printed no result\n${stdout}\n${stderr}`);
    return JSON.parse(line) as Record<string, unknown>;
  };

  beforeEach(() => {
    // Only the socket's own mode or the peer check may stop another user, not the directories above it.
    chmodSync(dir, 0o755);
    path = join(dir, 'control.sock');
  });

  it('refuses a client running as another uid by SO_PEERCRED, even when the socket mode lets it connect', async () => {
    server = await startControlServer({ path, control, log });
    chmodSync(path, 0o666);
    const result = await ask(path, { op: 'stop', name: 'db' });
    expect(result).toEqual({ uid: 65534, answer: { ok: false, error: 'permission denied: only root (uid 0) may control the supervisor' } });
    expect(control.calls).toEqual([]);
    expect(log.lines).toContainEqual(expect.stringMatching(/^warn: control socket: refused pid \d+ \(uid 65534, gid 65534\): only root may control the supervisor$/));
    // Root, on the same socket, is served.
    expect(await sendRequest({ op: 'status' }, { path })).toMatchObject({ ok: true });
  });

  it('keeps another uid out by the socket mode 0600 alone', async () => {
    server = await startControlServer({ path, control, log });
    const result = await ask(path, { op: 'status' });
    expect(result).toMatchObject({ uid: 65534, error: { name: 'ControlUnreachableError', code: 'EACCES' } });
    expect(control.calls).toEqual([]);
  });
});

// A stand-in server that answers with something that is not the protocol.
describe('the client', () => {
  it('reports a server that does not speak the protocol, or closes without answering', async () => {
    const odd = join(dir, 'odd.sock');
    const other = createServer((socket) => {
      socket.once('data', (chunk: Buffer) => (chunk.includes('status') ? socket.end('hello\n') : socket.end()));
    });
    await new Promise<void>((resolvePromise) => other.listen(odd, resolvePromise));
    try {
      await expect(sendRequest({ op: 'status' }, { path: odd })).rejects.toThrow(`the supervisor at ${odd} does not speak the control protocol`);
      await expect(sendRequest({ op: 'poweroff' }, { path: odd })).rejects.toThrow(`the supervisor at ${odd} closed the connection without answering`);
    } finally {
      await new Promise((resolvePromise) => other.close(resolvePromise));
    }
  });
});
