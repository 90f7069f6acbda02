// The /dev/initctl reader on a real FIFO (in a temp directory) with a runtime whose shutdown is recorded: what each
// request does, and that nothing a writer does (garbage, half a request, never closing) blocks the event loop.
import { closeSync, lstatSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { encodeRunlevelRequest } from '../../src/pid1/init-request';
import { startInitctl, type Initctl } from '../../src/pid1/initctl';
import type { Pid1 } from '../../src/pid1/runtime';
import type { ShutdownRequest } from '../../src/pid1/shutdown';
import { realSys } from '../../src/sys/index';

let dir: string;
let fifo: string;
let reader: Initctl | undefined;
let lines: string[];
let shutdowns: ShutdownRequest[];

function fakeRuntime(): Pid1 {
  const log = createLogger({ write: (line) => lines.push(line) > 0 }, 'debug');
  return { log, sys: realSys, shutdown: (request: ShutdownRequest) => (shutdowns.push(request), new Promise<never>(() => undefined)) } as unknown as Pid1;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${lines.join('')}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

// As telinit does: open for writing (never blocks: the reader holds the FIFO open), write, close.
function send(bytes: Uint8Array): void {
  const fd = openSync(fifo, 'w');
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'initctl-'));
  fifo = join(dir, 'initctl');
  lines = [];
  shutdowns = [];
});

afterEach(() => {
  reader?.close();
  reader = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('the initctl reader', () => {
  it('makes a FIFO of mode 0600 and powers off on runlevel 0, through the runtime shutdown', async () => {
    reader = startInitctl(fakeRuntime(), fifo);
    expect(reader).toBeDefined();
    const stat = lstatSync(fifo);
    expect(stat.isFIFO()).toBe(true);
    expect(stat.mode & 0o7777).toBe(0o600);
    send(encodeRunlevelRequest('0'));
    await until(() => shutdowns.length > 0, 'the shutdown');
    expect(shutdowns).toEqual([{ action: 'poweroff', reason: `runlevel 0 requested on ${fifo}` }]);
    expect(lines.join('')).toContain(`initctl: runlevel 0 requested on ${fifo}`);
  });

  it('reboots on runlevel 6; other runlevels and commands are logged as not supported', async () => {
    reader = startInitctl(fakeRuntime(), fifo);
    send(encodeRunlevelRequest('3'));
    const setenv = encodeRunlevelRequest('0');
    setenv.writeInt32LE(6, 4);
    send(setenv);
    send(encodeRunlevelRequest('6'));
    await until(() => shutdowns.length > 0, 'the shutdown');
    expect(shutdowns.map((request) => request.action)).toEqual(['reboot']);
    const log = lines.join('');
    expect(log).toContain('warn: initctl: runlevel 3 requested: not supported');
    expect(log).toContain('warn: initctl: INIT_CMD_SETENV is not supported');
  });

  it('drops garbage, a short request and a bad magic with a warning, and keeps reading', async () => {
    reader = startInitctl(fakeRuntime(), fifo);
    send(Buffer.from('garbage\n'));
    await until(() => lines.some((line) => line.includes('8 bytes, not the 384')), 'the garbage warning');
    send(encodeRunlevelRequest('0').subarray(0, 100));
    await until(() => lines.some((line) => line.includes('100 bytes, not the 384')), 'the short request warning');
    send(encodeRunlevelRequest('0', 0xdeadbeef));
    await until(() => lines.some((line) => line.includes('bad magic 0xdeadbeef')), 'the bad magic warning');
    expect(shutdowns).toEqual([]);
    send(encodeRunlevelRequest('0'));
    await until(() => shutdowns.length > 0, 'the shutdown after the bad requests');
  });

  it('a writer that writes half a request and never closes blocks nothing', async () => {
    reader = startInitctl(fakeRuntime(), fifo);
    const stuck = openSync(fifo, 'w');
    try {
      writeSync(stuck, encodeRunlevelRequest('0').subarray(0, 200));
      // The event loop still turns (timers fire) and a whole request from another writer is taken.
      const started = Date.now();
      await new Promise((done) => setTimeout(done, 50));
      expect(Date.now() - started).toBeLessThan(1000);
      send(encodeRunlevelRequest('6'));
      await until(() => shutdowns.length > 0, 'the shutdown');
      expect(shutdowns.map((request) => request.action)).toEqual(['reboot']);
      expect(lines.join('')).toContain('200 bytes, not the 384');
    } finally {
      closeSync(stuck);
    }
  });

  it('reuses a FIFO that is there (mode 0600 again); a regular file there is left alone and reported', () => {
    realSys.mknod({ path: fifo, type: 'fifo', mode: 0o666 });
    reader = startInitctl(fakeRuntime(), fifo);
    expect(reader).toBeDefined();
    expect(lstatSync(fifo).mode & 0o7777).toBe(0o600);
    reader?.close();
    reader = undefined;
    const file = join(dir, 'file');
    writeFileSync(file, 'keep me');
    expect(startInitctl(fakeRuntime(), file)).toBeUndefined();
    expect(lines.join('')).toContain(`error: initctl: no ${file}: ${file} exists and is not a FIFO; it is left alone`);
  });
});
