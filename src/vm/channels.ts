// The unix sockets vm listens on, one per QEMU character device (the serial console, the command's terminal and
// its stdout and stderr ports): QEMU connects to each as it starts, and each takes that one connection only.
import { createServer, type Server, type Socket } from 'node:net';
import { VmError } from './vm-error';

/** A listening socket and the connection QEMU makes to it. */
export interface Channel {
  readonly path: string;
  /** Resolves with QEMU's connection; never resolves if QEMU never connects (race it with QEMU's exit). */
  readonly connected: Promise<Socket>;
  /** Resolves once the connection closed (QEMU exited or closed the device). */
  readonly closed: Promise<void>;
  /** Stops listening and ends the connection, if any. */
  close(): void;
}

/** Listens on `path` (which must not exist) and resolves once it does. */
export async function listenChannel(path: string): Promise<Channel> {
  const server: Server = createServer({ allowHalfOpen: false });
  let socket: Socket | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const connected = new Promise<Socket>((resolve) => {
    server.once('connection', (connection) => {
      socket = connection;
      // One peer per device: nobody else may connect after QEMU.
      server.close();
      connection.once('close', () => markClosed());
      // A peer that resets the connection (QEMU killed) must not crash vm: the close that follows is what counts.
      connection.on('error', () => undefined);
      resolve(connection);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new VmError(`cannot listen on ${path}: ${error.message}`, { cause: error })));
    server.listen(path, () => resolve());
  });
  return {
    path,
    connected,
    closed,
    close: () => {
      server.close();
      socket?.destroy();
      if (socket === undefined) markClosed();
    },
  };
}
