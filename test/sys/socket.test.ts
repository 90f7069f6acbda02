// SO_PEERCRED for real: who is on the other end of a unix socket, including a process of another user.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, chmodSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { peerCredentials, socketFd } from '../../src/sys/socket';

const node = join(resolve(import.meta.dirname, '../..'), 'node_modules/.bin/node');

let dir: string;
let path: string;
let server: Server;
let accepted: Promise<Socket>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-socket-'));
  // Reachable by the other user of the last test.
  chmodSync(dir, 0o755);
  path = join(dir, 'peer.sock');
  let accept: (socket: Socket) => void = () => {};
  accepted = new Promise((resolvePromise) => (accept = resolvePromise));
  server = createServer(accept);
  await new Promise<void>((resolvePromise) => server.listen(path, resolvePromise));
  chmodSync(path, 0o666);
});

afterEach(async () => {
  await new Promise((resolvePromise) => server.close(resolvePromise));
  rmSync(dir, { recursive: true, force: true });
});

describe('peerCredentials and socketFd', () => {
  it('names this process on both ends of a connection it made to itself', async () => {
    const client = connect(path);
    await new Promise<void>((resolvePromise) => client.on('connect', resolvePromise));
    const serverSide = await accepted;
    const self = { pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() };
    const serverFd = socketFd(serverSide);
    const clientFd = socketFd(client);
    expect(serverFd).toEqual(expect.any(Number));
    expect(clientFd).not.toBe(serverFd);
    expect(peerCredentials(serverFd ?? -1)).toEqual(self);
    expect(peerCredentials(clientFd ?? -1)).toEqual(self);
    client.destroy();
    serverSide.destroy();
    expect(socketFd(client)).toBeUndefined();
  });

  it('names a client of another user by its pid, uid and gid', async () => {
    // Node starts as root and becomes nobody before it connects: started as nobody it would have to reach the
    // Node binary inside the checkout, which nobody may not (a clone under /root).
    const asNobody = 'process.setgroups([]); process.setgid(65534); process.setuid(65534);';
    const script = `${asNobody} const s = require('net').connect(${JSON.stringify(path)}); s.on('data', () => s.end()); s.on('error', (e) => { console.error(e.message); process.exit(3); });`;
    const child = spawn(node, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolvePromise) => child.on('exit', resolvePromise));
    const serverSide = await accepted;
    expect(peerCredentials(socketFd(serverSide) ?? -1)).toEqual({ pid: child.pid, uid: 65534, gid: 65534 });
    serverSide.end('bye');
    expect(await exited).toBe(0);
  });

  it('throws SysError for a descriptor that is not a socket or not open, RangeError for no descriptor', () => {
    const file = join(dir, 'plain');
    const fd = openSync(file, 'w');
    try {
      expect(() => peerCredentials(fd)).toThrow(expect.objectContaining({ name: 'SysError', code: 'ENOTSOCK', syscall: 'getsockopt' }) as Error);
    } finally {
      closeSync(fd);
    }
    expect(() => peerCredentials(fd)).toThrow(expect.objectContaining({ name: 'SysError', code: 'EBADF' }) as Error);
    expect(() => peerCredentials(-1)).toThrow(RangeError);
  });
});
