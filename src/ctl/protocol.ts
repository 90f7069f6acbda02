// The control socket's wire format: one JSON object per line each way, requests checked strictly.
import type { ServiceStatus } from '../supervisor/model';

/** Where `bootstrap ctl` and the supervisor meet unless told otherwise. */
export const DEFAULT_CONTROL_SOCKET = '/run/bootstrap/control.sock';

/** Longest request line the server reads (without its newline); a longer one is answered with an error and the connection closed. */
export const MAX_LINE_BYTES = 64 * 1024;

/** How many log lines `logs` returns when the request does not say. */
export const DEFAULT_LOG_LINES = 50;

/** The most log lines one request may ask for, so a typo cannot make PID 1 build a huge answer. */
export const MAX_LOG_LINES = 100_000;

/** What a client may ask. */
export type ControlRequest =
  | { op: 'status' }
  | { op: 'start' | 'stop' | 'restart'; name: string }
  | { op: 'logs'; name: string; lines: number; follow: boolean }
  | { op: 'poweroff' }
  | { op: 'reboot' };

/** Every operation, for messages and for the CLI. */
export const controlOps = ['status', 'start', 'stop', 'restart', 'logs', 'poweroff', 'reboot'] as const;

export type ControlOp = (typeof controlOps)[number];

/** A successful answer; which fields it carries depends on the request. */
export interface ControlSuccess {
  ok: true;
  /** `status`. */
  services?: ServiceStatus[];
  /** `logs`: the last lines, oldest first (with `follow`, the ones before the stream begins). */
  lines?: string[];
}

/** A refused or failed request, in words for a person. */
export interface ControlFailure {
  ok: false;
  error: string;
}

export type ControlResponse = ControlSuccess | ControlFailure;

/** One streamed line of `logs` with `follow`, sent after the response until the client closes. */
export interface LogLineMessage {
  line: string;
}

/** A request that cannot be served as sent; its message goes back to the client. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const allowedKeys: Record<ControlOp, readonly string[]> = {
  status: ['op'],
  start: ['op', 'name'],
  stop: ['op', 'name'],
  restart: ['op', 'name'],
  logs: ['op', 'name', 'lines', 'follow'],
  poweroff: ['op'],
  reboot: ['op'],
};

/** Parses and checks one request line; throws ProtocolError saying what is wrong with it. */
export function parseRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`a request must be one JSON object per line: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError('a request must be a JSON object');
  const fields = value as Record<string, unknown>;
  const op = fields['op'];
  if (typeof op !== 'string') throw new ProtocolError(`a request needs "op", one of ${controlOps.join(', ')}`);
  if (!isControlOp(op)) throw new ProtocolError(`unknown op ${JSON.stringify(op)}; known: ${controlOps.join(', ')}`);
  const unknown = Object.keys(fields).filter((key) => !allowedKeys[op].includes(key));
  if (unknown.length > 0) throw new ProtocolError(`${op}: unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  switch (op) {
    case 'status':
    case 'poweroff':
    case 'reboot':
      return { op };
    case 'start':
    case 'stop':
    case 'restart':
      return { op, name: serviceName(op, fields['name']) };
    case 'logs':
      return { op, name: serviceName(op, fields['name']), lines: lineCount(fields['lines']), follow: flag(fields['follow']) };
  }
}

/** Whether `word` names an operation. */
export function isControlOp(word: string): word is ControlOp {
  return (controlOps as readonly string[]).includes(word);
}

/** One message as a line of the wire format. */
export function encodeMessage(message: ControlRequest | ControlResponse | LogLineMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/** Parses one line the server sent: a response or a streamed log line; throws ProtocolError for anything else. */
export function parseServerMessage(line: string): ControlResponse | LogLineMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ProtocolError(`the supervisor sent a line that is not JSON: ${(error as Error).message}`);
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const fields = value as Record<string, unknown>;
    if (typeof fields['line'] === 'string') return { line: fields['line'] };
    if (fields['ok'] === false && typeof fields['error'] === 'string') return { ok: false, error: fields['error'] };
    if (fields['ok'] === true) return value as ControlSuccess;
  }
  throw new ProtocolError(`the supervisor sent an unexpected message: ${line.slice(0, 200)}`);
}

function serviceName(op: ControlOp, value: unknown): string {
  if (value === undefined) throw new ProtocolError(`${op}: missing "name" (the service to ${op === 'logs' ? 'show' : op})`);
  if (typeof value !== 'string' || value === '') throw new ProtocolError(`${op}: "name" must be a non-empty string, not ${JSON.stringify(value)}`);
  return value;
}

function lineCount(value: unknown): number {
  if (value === undefined) return DEFAULT_LOG_LINES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_LOG_LINES) {
    throw new ProtocolError(`logs: "lines" must be an integer from 0 to ${MAX_LOG_LINES}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ProtocolError(`logs: "follow" must be true or false, not ${JSON.stringify(value)}`);
  return value;
}
