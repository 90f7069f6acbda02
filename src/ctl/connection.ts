// One client of the control socket: its requests read one at a time and answered in order, with what PID 1 holds for it bounded.
import type { Socket } from 'node:net';
import type { Logger } from '../log/log';
import { formatDuration } from '../config/duration';
import type { PeerCredentials } from '../sys/socket';
import { UnknownServiceError, type SupervisorControl } from '../supervisor/model';
import { LineReader } from './line-reader';
import { MAX_LINE_BYTES, ProtocolError, encodeMessage, parseRequest, type ControlRequest, type ControlResponse, type LogLineMessage } from './protocol';
import { nowMs } from '../clock';

/** A follower whose unread output grows past this is too slow and is dropped, so PID 1's memory stays bounded. */
const MAX_FOLLOW_BACKLOG_BYTES = 1024 * 1024;

/** How long a refused client may take to close before it is cut off. */
const DISMISS_GRACE_MS = 2000;

/** What the server logs to: refusals and failures as warnings, requests that change things as info. */
export type ControlLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** The time limits of one connection. */
export interface ConnectionLimits {
  /** A connection with no request in progress that sends no complete request line for this long is closed. */
  idleTimeoutMs: number;
  /** A client that does not read an answer (the socket's buffer stays full) for this long is closed. */
  drainTimeoutMs: number;
}

/** A served connection, as the server's connection limit sees it. */
export interface Connection {
  readonly socket: Socket;
  /** Connected with no request waiting or in progress and not following logs: closing it loses nothing. */
  readonly idle: boolean;
  /** When it last connected or was answered (nowMs()), to find the one idle longest. */
  readonly lastActive: number;
  readonly who: string;
}

// What waits on a connection comes from one read chunk at most (the socket is paused while anything
// waits, and nothing more is read until it is answered), so it is bounded by the chunk size.
type Item = { kind: 'request'; line: string } | { kind: 'tooLong' };

/**
 * Serves `socket`: reads requests (pausing the socket while any is waiting, so a client that pipelines
 * cannot queue more than one read chunk), answers each in order, and serves the next only once the
 * answer has left the socket's buffer: a client that stops reading holds at most one answer plus the
 * stream's high-water mark, and is closed after `drainTimeoutMs`. Idle connections close after `idleTimeoutMs`.
 */
export function serveConnection(socket: Socket, control: SupervisorControl, log: ControlLog, peerOf: (socket: Socket) => PeerCredentials, limits: ConnectionLimits): Connection {
  // A client that vanishes mid-answer (EPIPE, ECONNRESET) is its own problem, never the supervisor's.
  socket.on('error', (error) => log.debug(`control socket: client error: ${error.message}`));
  let peer: PeerCredentials;
  try {
    peer = peerOf(socket);
  } catch (error) {
    log.warn(`control socket: cannot tell who connected (${(error as Error).message}); closing the connection`);
    socket.destroy();
    return { socket, idle: false, lastActive: nowMs(), who: 'unknown peer' };
  }
  const who = `pid ${peer.pid}`;
  if (peer.uid !== 0) {
    log.warn(`control socket: refused pid ${peer.pid} (uid ${peer.uid}, gid ${peer.gid}): only root may control the supervisor`);
    dismiss(socket, 'permission denied: only root (uid 0) may control the supervisor');
    return { socket, idle: false, lastActive: nowMs(), who };
  }

  const reader = new LineReader(MAX_LINE_BYTES);
  const waiting: Item[] = [];
  let busy = false;
  let following = false;
  let clientEnded = false;
  let lastActive = nowMs();
  let stopFollowing = (): void => {};
  let idleTimer: NodeJS.Timeout | undefined;

  const armIdleTimer = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      log.debug(`control socket: ${who} sent no request within ${formatDuration(limits.idleTimeoutMs)}; closing the connection`);
      socket.destroy();
    }, limits.idleTimeoutMs).unref();
  };
  socket.on('close', () => {
    clearTimeout(idleTimer);
    stopFollowing();
  });

  const serve = async (line: string): Promise<void> => {
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

  // Serves what is waiting, one request at a time; reads again only when nothing is left.
  const pump = async (): Promise<void> => {
    if (busy || socket.destroyed) return;
    busy = true;
    clearTimeout(idleTimer);
    try {
      for (let item = waiting.shift(); item !== undefined && !socket.destroyed; item = waiting.shift()) {
        // Once a connection follows logs it carries only log lines; later requests are read and dropped.
        if (following) continue;
        if (item.kind === 'tooLong') {
          waiting.length = 0;
          return dismiss(socket, `request too long: a request line may hold at most ${MAX_LINE_BYTES} bytes`);
        }
        await serve(item.line);
        lastActive = nowMs();
        if (!following && !(await drained(socket, limits.drainTimeoutMs))) {
          if (socket.destroyed) return;
          log.warn(`control socket: ${who} does not read its answers (none drained within ${formatDuration(limits.drainTimeoutMs)}); closing the connection`);
          socket.destroy();
          return;
        }
      }
    } catch (error) {
      // A bug here must cost one connection, never an unhandled rejection (which would end PID 1).
      log.warn(`control socket: ${who}: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
      return;
    } finally {
      busy = false;
    }
    if (socket.destroyed) return;
    if (clientEnded) {
      // The client finished sending: end our side now its last answer is out (a follower ends by closing).
      stopFollowing();
      socket.end();
      return;
    }
    if (!following) armIdleTimer();
    socket.resume();
  };

  socket.on('data', (chunk: Buffer) => {
    const { lines, overflow } = reader.push(chunk);
    for (const line of lines) waiting.push({ kind: 'request', line });
    if (overflow) {
      socket.removeAllListeners('data');
      log.warn(`control socket: ${who} sent a request longer than ${MAX_LINE_BYTES} bytes; closing the connection`);
      waiting.push({ kind: 'tooLong' });
    }
    if (waiting.length === 0) return;
    socket.pause();
    void pump();
  });
  socket.on('end', () => {
    clientEnded = true;
    void pump();
  });
  armIdleTimer();

  return {
    socket,
    get idle() {
      return !busy && waiting.length === 0 && !following && !socket.destroyed;
    },
    get lastActive() {
      return lastActive;
    },
    who,
  };
}

// Resolves true once the socket's buffer is below its high-water mark, false when it stays full for `ms` or the socket closes.
function drained(socket: Socket, ms: number): Promise<boolean> {
  if (!socket.writableNeedDrain) return Promise.resolve(!socket.destroyed);
  return new Promise((resolve) => {
    const done = (result: boolean): void => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(result);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
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

/**
 * Answers with an error and ends the connection. The rest of the client's input is read and dropped:
 * closing a unix socket with unread data makes the client's next read fail with ECONNRESET, and it
 * would lose the answer. A client that never closes is cut off after a grace period.
 */
export function dismiss(socket: Socket, error: string): void {
  send(socket, { ok: false, error });
  socket.end();
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), DISMISS_GRACE_MS).unref();
}
