// The supervisor's control socket: a unix socket only root may use, answering `bootstrap ctl` requests.
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { net } from '../sys/builtins';
import { dirname } from 'node:path';
import { makeDirectories } from '../sys/fs';
import { peerCredentials, socketFd, type PeerCredentials } from '../sys/socket';
import type { SupervisorControl } from '../supervisor/model';
import { dismiss, serveConnection, type Connection, type ConnectionLimits, type ControlLog } from './connection';
import { DEFAULT_CONTROL_SOCKET } from './protocol';

export type { ControlLog } from './connection';

/** How many connections are served at once, how long one may stay idle, and how long an unread answer may wait. */
export interface ControlLimits extends ConnectionLimits {
  maxConnections: number;
}

const defaultLimits: ControlLimits = { maxConnections: 64, idleTimeoutMs: 10_000, drainTimeoutMs: 10_000 };

/**
 * Connections past the limit that are still accepted to be told "too many connections" (and closed
 * after a grace period); beyond these the kernel's backlog and Node turn clients away unanswered.
 */
const REFUSAL_HEADROOM = 16;

export interface ControlServerOptions {
  /** The socket's path; its directory is created with mode 0700 when missing. */
  path?: string;
  control: SupervisorControl;
  log: ControlLog;
  /** Who is connected; the kernel's SO_PEERCRED unless a test says otherwise. */
  peerOf?: (socket: Socket) => PeerCredentials;
  /** The defaults suit PID 1: 64 connections, 10 s idle, 10 s for an answer to drain. */
  limits?: Partial<ControlLimits>;
}

/** A listening control socket. */
export interface ControlServer {
  readonly path: string;
  /** Stops listening, drops every client (followers too) and removes the socket file. */
  close(): Promise<void>;
}

/** Listens on the control socket; resolves once it accepts connections, rejects with a message naming the path and cause. */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const path = options.path ?? DEFAULT_CONTROL_SOCKET;
  const { control, log } = options;
  const peerOf = options.peerOf ?? kernelPeer;
  try {
    makeDirectories(dirname(path), 0o700);
  } catch (error) {
    throw new Error(`control socket ${path}: cannot create its directory: ${(error as Error).message}`, { cause: error });
  }
  await removeStaleSocket(path);

  const limits = { ...defaultLimits, ...options.limits };
  const clients = new Map<Socket, Connection>();
  const refused = new Set<Socket>();
  const server = net().createServer({ allowHalfOpen: true }, (socket) => {
    if (clients.size >= limits.maxConnections && !makeRoom(clients, limits.maxConnections, log)) {
      log.warn(`control socket: ${limits.maxConnections} connections are open and none is idle; refusing a new one`);
      refused.add(socket);
      socket.on('close', () => refused.delete(socket));
      socket.on('error', (error) => log.debug(`control socket: refused client error: ${error.message}`));
      return dismiss(socket, `too many connections: all ${limits.maxConnections} are in use; try again later`);
    }
    clients.set(socket, serveConnection(socket, control, log, peerOf, limits));
    socket.on('close', () => clients.delete(socket));
  });
  // A hard bound on descriptors: past it Node closes new connections at once.
  server.maxConnections = limits.maxConnections + REFUSAL_HEADROOM;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`control socket ${path}: cannot listen: ${error.message}`, { cause: error })));
    server.listen(path, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  // Accept failures (EMFILE…) must not take PID 1 down with them.
  server.on('error', (error) => log.warn(`control socket ${path}: ${error.message}`));
  try {
    // bind(2) created the socket with the umask's mode; until this chmod the 0700 directory and the peer check guard it.
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    throw new Error(`control socket ${path}: cannot make it private: ${(error as Error).message}`, { cause: error });
  }
  log.debug(`control socket listening at ${path}`);

  return {
    path,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const sockets = [...clients.keys(), ...refused];
      const gone = sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      for (const socket of sockets) socket.destroy();
      // Each client's 'close' handler ends its follow, so when this resolves no listener is left behind.
      await Promise.all([closed, ...gone]);
      rmSync(path, { force: true });
    },
  };
}

// A socket file left by an earlier run makes listen fail with EADDRINUSE. Remove it only when
// nobody answers on it: a live one belongs to another supervisor, and a non-socket is not ours.
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) throw new Error(`control socket ${path}: the path exists and is not a socket; remove it or choose another path`);
  // Only ECONNREFUSED proves nobody listens; any other failure leaves the file alone.
  const probe = await new Promise<string>((resolve) => {
    const socket = net().connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  if (probe === 'connected') throw new Error(`control socket ${path}: another process is already listening there (a second supervisor?)`);
  if (probe !== 'ECONNREFUSED') throw new Error(`control socket ${path}: cannot tell whether the socket there is in use (${probe})`);
  rmSync(path, { force: true });
}

function kernelPeer(socket: Socket): PeerCredentials {
  const fd = socketFd(socket);
  if (fd === undefined) throw new Error('the connection has no file descriptor');
  return peerCredentials(fd);
}

/**
 * The connection limit's policy: a newcomer is served as long as some connection is idle, by closing
 * the one idle longest. An idle connection has no request waiting or in progress and follows no logs,
 * so closing it loses no answer (its idle timeout would close it soon anyway), and a client that
 * connected to ask something is not locked out by others that only hold connections open. Only when
 * every connection is answering or following is the newcomer refused, with an error it can print.
 */
function makeRoom(clients: Map<Socket, Connection>, maxConnections: number, log: ControlLog): boolean {
  let idlest: Connection | undefined;
  for (const connection of clients.values()) {
    if (connection.idle && (idlest === undefined || connection.lastActive < idlest.lastActive)) idlest = connection;
  }
  if (idlest === undefined) return false;
  log.warn(`control socket: ${maxConnections} connections are open; closing the one idle longest (${idlest.who}) for a new one`);
  clients.delete(idlest.socket);
  idlest.socket.destroy();
  return true;
}
