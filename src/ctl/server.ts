// The supervisor's control socket: a unix socket only root may use, answering `bootstrap ctl` requests.
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../boot/log';
import { makeDirectories } from '../sys/fs';
import { peerCredentials, socketFd, type PeerCredentials } from '../sys/socket';
import { UnknownServiceError, type SupervisorControl } from '../supervisor/model';
import { LineReader } from './line-reader';
import {
  DEFAULT_CONTROL_SOCKET,
  MAX_LINE_BYTES,
  ProtocolError,
  encodeMessage,
  parseRequest,
  type ControlRequest,
  type ControlResponse,
  type LogLineMessage,
} from './protocol';

/** How many clients may be connected at once; more are turned away by the kernel's backlog, not by memory. */
const MAX_CONNECTIONS = 64;

/** A follower whose unread output grows past this is too slow and is dropped, so PID 1's memory stays bounded. */
const MAX_FOLLOW_BACKLOG_BYTES = 1024 * 1024;

/** How long a refused client may take to close before it is cut off. */
const DISMISS_GRACE_MS = 2000;

/** What the server logs to: refusals and failures as warnings, requests that change things as info. */
export type ControlLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

export interface ControlServerOptions {
  /** The socket's path; its directory is created with mode 0700 when missing. */
  path?: string;
  control: SupervisorControl;
  log: ControlLog;
  /** Who is connected; the kernel's SO_PEERCRED unless a test says otherwise. */
  peerOf?: (socket: Socket) => PeerCredentials;
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

  const clients = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    serveClient(socket, control, log, peerOf);
  });
  server.maxConnections = MAX_CONNECTIONS;
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
      const gone = [...clients].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
      for (const socket of clients) socket.destroy();
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
    const socket = connect(path);
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

function serveClient(socket: Socket, control: SupervisorControl, log: ControlLog, peerOf: (socket: Socket) => PeerCredentials): void {
  // A client that vanishes mid-answer (EPIPE, ECONNRESET) is its own problem, never the supervisor's.
  socket.on('error', (error) => log.debug(`control socket: client error: ${error.message}`));
  let peer: PeerCredentials;
  try {
    peer = peerOf(socket);
  } catch (error) {
    log.warn(`control socket: cannot tell who connected (${(error as Error).message}); closing the connection`);
    socket.destroy();
    return;
  }
  if (peer.uid !== 0) {
    log.warn(`control socket: refused pid ${peer.pid} (uid ${peer.uid}, gid ${peer.gid}): only root may control the supervisor`);
    dismiss(socket, 'permission denied: only root (uid 0) may control the supervisor');
    return;
  }

  const reader = new LineReader(MAX_LINE_BYTES);
  const who = `pid ${peer.pid}`;
  let following = false;
  let stopFollowing = (): void => {};
  socket.on('close', () => stopFollowing());

  // Requests are answered one at a time and in order; once a connection follows logs it carries only log lines.
  let queue = Promise.resolve();
  const later = (task: () => Promise<void> | void): void => {
    queue = queue
      .then(task)
      // A bug here must cost one connection, never an unhandled rejection (which would end PID 1).
      .catch((error: unknown) => {
        log.warn(`control socket: ${who}: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      });
  };
  const serve = async (line: string): Promise<void> => {
    if (following || socket.destroyed) return;
    const request = readRequest(line);
    if ('ok' in request) return send(socket, request);
    logRequest(log, who, request);
    if (request.op === 'logs' && request.follow) {
      following = true;
      stopFollowing = follow(socket, control, request.name, request.lines, log);
      return;
    }
    send(socket, await answer(request, control, log));
  };

  socket.on('data', (chunk: Buffer) => {
    const { lines, overflow } = reader.push(chunk);
    for (const line of lines) later(() => serve(line));
    if (overflow) {
      socket.removeAllListeners('data');
      log.warn(`control socket: ${who} sent a request longer than ${MAX_LINE_BYTES} bytes; closing the connection`);
      later(() => dismiss(socket, `request too long: a request line may hold at most ${MAX_LINE_BYTES} bytes`));
    }
  });
  // The client finished sending: end our side once its last answer is out (a follower ends by closing).
  socket.on('end', () =>
    later(() => {
      stopFollowing();
      socket.end();
    }),
  );
}

function readRequest(line: string): ControlRequest | ControlResponse {
  try {
    return parseRequest(line);
  } catch (error) {
    if (error instanceof ProtocolError) return { ok: false, error: error.message };
    throw error;
  }
}

function logRequest(log: ControlLog, who: string, request: ControlRequest): void {
  const text = `control socket: ${who} asks ${request.op}${'name' in request ? ` ${request.name}` : ''}`;
  if (request.op === 'status' || request.op === 'logs') log.debug(text);
  else log.info(text);
}

async function answer(request: ControlRequest, control: SupervisorControl, log: ControlLog): Promise<ControlResponse> {
  try {
    switch (request.op) {
      case 'status':
        return { ok: true, services: control.status() };
      case 'start':
        control.startService(request.name);
        return { ok: true };
      case 'stop':
        await control.stopService(request.name);
        return { ok: true };
      case 'restart':
        await control.restartService(request.name);
        return { ok: true };
      case 'logs':
        return { ok: true, lines: control.logs(request.name, request.lines) };
      case 'poweroff':
      case 'reboot':
        control.powerOff(request.op);
        return { ok: true };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof UnknownServiceError)) log.warn(`control socket: ${request.op} failed: ${message}`);
    return { ok: false, error: message };
  }
}

// Sends the last lines, then each new one, until the client closes or reads too slowly.
function follow(socket: Socket, control: SupervisorControl, name: string, lines: number, log: ControlLog): () => void {
  let unsubscribe: () => void;
  try {
    // The snapshot, the answer and the subscription run in one turn of the event loop, so no line falls
    // between them and none arrives before the answer.
    send(socket, { ok: true, lines: control.logs(name, lines) });
    unsubscribe = control.followLogs(name, (line) => {
      if (socket.writableLength > MAX_FOLLOW_BACKLOG_BYTES) {
        log.warn(`control socket: a client following ${name}'s logs reads too slowly; dropping it`);
        socket.destroy();
        return;
      }
      send(socket, { line });
    });
  } catch (error) {
    dismiss(socket, error instanceof Error ? error.message : String(error));
    return () => {};
  }
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    try {
      unsubscribe();
    } catch (error) {
      // Runs from a socket's 'close' event, where a throw would be an uncaught exception in PID 1.
      log.warn(`control socket: cannot stop following ${name}'s logs: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

function send(socket: Socket, message: ControlResponse | LogLineMessage): void {
  if (socket.writable) socket.write(encodeMessage(message));
}

// Answers with an error and ends the connection. The rest of the client's input is read and dropped:
// closing a unix socket with unread data makes the client's next read fail with ECONNRESET, and it
// would lose the answer. A client that never closes is cut off after a grace period.
function dismiss(socket: Socket, error: string): void {
  send(socket, { ok: false, error });
  socket.end();
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  setTimeout(() => socket.destroy(), DISMISS_GRACE_MS).unref();
}
