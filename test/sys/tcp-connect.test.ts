// One TCP connection attempt against real sockets: a listener answers, a closed port refuses. (Its deadline, for a
// server that never answers, is proved by test/vm/nfs-root.test.ts and test/exec/server-wait.test.ts: this machine's
// network refuses unroutable addresses at once instead of dropping them.)
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryTcpConnect } from '../../src/sys/tcp-connect';

describe('tryTcpConnect', () => {
  let server: Server;
  let port: number;
  let closedPort: number;

  beforeAll(async () => {
    const listen = (): Promise<Server> => new Promise((resolve) => { const listener = createServer((socket) => socket.destroy()); listener.listen(0, '127.0.0.1', () => resolve(listener)); });
    server = await listen();
    port = (server.address() as { port: number }).port;
    const closed = await listen();
    closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('connects to a listening port', async () => {
    await expect(tryTcpConnect({ address: '127.0.0.1', port, timeoutMs: 2000 })).resolves.toEqual({ connected: true });
  });

  it('says ECONNREFUSED for a port nothing listens on', async () => {
    await expect(tryTcpConnect({ address: '127.0.0.1', port: closedPort, timeoutMs: 2000 })).resolves.toEqual({ connected: false, code: 'ECONNREFUSED' });
  });

});
