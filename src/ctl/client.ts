// The client side of the control socket: send one request, read the answer (and, following logs, the stream).
import { connect } from 'node:net';
import { formatDuration } from '../config/duration';
import { describeErrno, errnoNumber } from '../sys/sys-error';
import { LineReader } from './line-reader';
import { DEFAULT_CONTROL_SOCKET, encodeMessage, parseServerMessage, type ControlRequest, type ControlResponse } from './protocol';

/** Longest line the client accepts: a status of many services or thousands of log lines is one line. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** How long the client waits for an answer unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ClientOptions {
  /** The control socket; /run/bootstrap/control.sock by default. */
  path?: string;
  /** Ends a follow (or an unanswered request) from outside. */
  signal?: AbortSignal;
  /** How long to wait, from connecting, for the answer (a follow's stream after it is not limited); 10 s by default. */
  timeoutMs?: number;
}

/** connect(2) to the control socket failed: no supervisor there, or not allowed. */
export class ControlUnreachableError extends Error {
  readonly code: string;

  constructor(
    readonly path: string,
    cause: NodeJS.ErrnoException,
  ) {
    const code = cause.code ?? 'EIO';
    const errno = errnoNumber(code);
    const words = errno === undefined ? undefined : describeErrno(errno);
    const described = words === undefined || words.startsWith('errno ') ? code : `${code} (${words})`;
    const hint = code === 'EACCES' || code === 'EPERM' ? 'only root may use it' : 'is bootstrap supervising here?';
    super(`cannot reach the supervisor at ${path}: ${described} — ${hint}`, { cause });
    this.name = 'ControlUnreachableError';
    this.code = code;
  }
}

/** The connection broke, or the supervisor sent something that is not the protocol, before an answer came. */
export class ControlConnectionError extends Error {
  constructor(path: string, reason: string, cause?: unknown) {
    super(`the supervisor at ${path} ${reason}`, { cause });
    this.name = 'ControlConnectionError';
  }
}

/** The supervisor accepted the connection but did not answer in time (busy, stuck, or not the supervisor). */
export class ControlTimeoutError extends Error {
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`the supervisor at ${path} did not answer within ${formatDuration(timeoutMs)}`);
    this.name = 'ControlTimeoutError';
  }
}

/** Sends `request` and resolves with the supervisor's answer; rejects with ControlUnreachableError, ControlConnectionError or ControlTimeoutError. */
export function sendRequest(request: ControlRequest, options: ClientOptions = {}): Promise<ControlResponse> {
  return converse(request, options);
}

/**
 * `logs NAME --follow`: calls `onLine` with the last `lines` lines, then with each new one, until the
 * supervisor closes the connection or `options.signal` aborts; resolves with the answer (ok or the error).
 */
export function followLogs(name: string, lines: number, onLine: (line: string) => void, options: ClientOptions = {}): Promise<ControlResponse> {
  return converse({ op: 'logs', name, lines, follow: true }, options, onLine);
}

function converse(request: ControlRequest, options: ClientOptions, onLine?: (line: string) => void): Promise<ControlResponse> {
  const path = options.path ?? DEFAULT_CONTROL_SOCKET;
  return new Promise<ControlResponse>((resolve, reject) => {
    const socket = connect(path);
    const reader = new LineReader(MAX_ANSWER_BYTES);
    let connected = false;
    let settled = false;
    let answer: ControlResponse | undefined;

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => finish(new ControlTimeoutError(path, timeoutMs)), timeoutMs);
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else if (answer) resolve(answer);
      else reject(new ControlConnectionError(path, options.signal?.aborted ? 'gave no answer before the request was cancelled' : 'closed the connection without answering'));
    };
    const onAbort = (): void => finish();
    if (options.signal?.aborted) return finish();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('connect', () => {
      connected = true;
      socket.write(encodeMessage(request));
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(connected ? new ControlConnectionError(path, `broke the connection: ${error.code ?? error.message}`, error) : new ControlUnreachableError(path, error)),
    );
    socket.on('close', () => finish());
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = reader.push(chunk);
      for (const line of lines) {
        if (settled) return;
        let message: ReturnType<typeof parseServerMessage>;
        try {
          message = parseServerMessage(line);
        } catch (error) {
          return finish(new ControlConnectionError(path, `does not speak the control protocol: ${(error as Error).message}`, error));
        }
        if ('line' in message) {
          if (answer?.ok && onLine) onLine(message.line);
          continue;
        }
        if (answer) continue;
        answer = message;
        clearTimeout(timer);
        if (!onLine || !message.ok) return finish();
        for (const recent of message.lines ?? []) onLine(recent);
      }
      if (overflow) finish(new ControlConnectionError(path, `sent a line longer than ${MAX_ANSWER_BYTES} bytes`));
    });
  });
}
