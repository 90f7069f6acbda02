// One TCP connection attempt with a deadline, closed at once: whether a server's port answers, without blocking PID 1.
import { net } from './builtins';

/** How a connection attempt ended: `connected`, or the errno (ECONNREFUSED, EHOSTUNREACH…) or ETIMEDOUT at the deadline. */
export type TcpAttempt = { connected: true } | { connected: false; code: string };

/** Connects to `address`:`port` and closes again; never rejects and never takes longer than `timeoutMs`. */
export function tryTcpConnect(spec: { address: string; port: number; timeoutMs: number }): Promise<TcpAttempt> {
  return new Promise((resolve) => {
    const socket = new (net().Socket)();
    const done = (attempt: TcpAttempt): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(attempt);
    };
    const timer = setTimeout(() => done({ connected: false, code: 'ETIMEDOUT' }), Math.max(0, spec.timeoutMs));
    socket.once('connect', () => done({ connected: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ connected: false, code: error.code ?? error.message }));
    socket.connect({ host: spec.address, port: spec.port });
  });
}
