// A service's stdout and stderr: pipes PID 1 reads without blocking, split into lines, routed, and kept for `ctl logs`.
import type { Socket } from 'node:net';
import { net, stringDecoder } from '../sys/builtins';
import type { LogSink } from '../log/log';
import type { StdioSource, Sys } from '../sys/index';
import { openRotatingFile, type RotatingFile } from './rotating-file';
import type { OutputSettings } from './service-settings';

/** Lines kept in memory per service for logs() and a new follower. */
const KEPT_LINES = 1000;
// A line longer than this is cut, so a service writing without newlines cannot grow PID 1.
const MAX_LINE = 16 * 1024;

/** The output side of one service, kept across its restarts. */
export interface ServiceOutput {
  /** What to give a new process of the service as fds 1 and 2. */
  stdio(): { out: StdioSource; err: StdioSource };
  lines(count: number): string[];
  follow(listener: (line: string) => void): () => void;
  /**
   * Closes PID 1's write ends, reads what is left until every writer is gone (or DRAIN_MS passed,
   * for a leftover process still holding a pipe), then closes pipes and files.
   */
  close(): Promise<void>;
}

interface Stream {
  stdio(): StdioSource;
  close(): Promise<void>;
}

// How long close() waits for the rest of the output.
const DRAIN_MS = 500;

/**
 * Creates the output of service `name`. Each stream that is not `null` gets one pipe for the service's
 * whole life: PID 1 keeps its write end, so restarts reuse it and a reader never sees end-of-file
 * early. The read end is a libuv pipe (non-blocking), and a console that does not drain drops lines
 * in `consoleSink` rather than stalling PID 1.
 */
export function createServiceOutput(name: string, streams: { stdout: OutputSettings; stderr: OutputSettings }, sys: Sys, consoleSink: LogSink, onError: (message: string) => void): ServiceOutput {
  const kept: string[] = [];
  const followers = new Set<(line: string) => void>();
  const remember = (line: string): void => {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    for (const listener of followers) listener(line);
  };
  const files = new Map<string, RotatingFile>();
  const route = (settings: OutputSettings): ((line: string) => void) => {
    if (settings.kind === 'console') return (line) => consoleSink.write(`${name}: ${line}\n`);
    if (settings.kind === 'null') return () => undefined;
    // stdout and stderr to the same file share one writer, so rotation sees every byte.
    let file = files.get(settings.file);
    if (file === undefined) files.set(settings.file, (file = openRotatingFile(settings.file, settings.maxSize, settings.maxFiles, onError)));
    const target = file;
    return (line) => target.write(`${line}\n`);
  };
  const open = (settings: OutputSettings): Stream => {
    if (settings.kind === 'null') return { stdio: () => 'null', close: () => Promise.resolve() };
    const write = route(settings);
    return pipeStream(sys, (line) => {
      remember(line);
      write(line);
    });
  };
  const out = open(streams.stdout);
  const err = open(streams.stderr);
  return {
    stdio: () => ({ out: out.stdio(), err: err.stdio() }),
    lines: (count) => (count <= 0 ? [] : kept.slice(-count)),
    follow(listener) {
      followers.add(listener);
      return () => followers.delete(listener);
    },
    async close() {
      await Promise.all([out.close(), err.close()]);
      for (const file of files.values()) file.close();
      followers.clear();
    },
  };
}

function pipeStream(sys: Sys, onLine: (line: string) => void): Stream {
  let ends: { readFd: number; writeFd: number } | undefined;
  let socket: Socket | undefined;
  let partial = '';
  const decoder = new (stringDecoder().StringDecoder)('utf8');
  const take = (text: string): void => {
    partial += text;
    let newline = partial.indexOf('\n');
    while (newline !== -1) {
      onLine(partial.slice(0, newline).replace(/\r$/, ''));
      partial = partial.slice(newline + 1);
      newline = partial.indexOf('\n');
    }
    while (partial.length > MAX_LINE) {
      onLine(partial.slice(0, MAX_LINE));
      partial = partial.slice(MAX_LINE);
    }
  };
  return {
    stdio() {
      if (ends === undefined) {
        ends = sys.pipe();
        // libuv makes the read end non-blocking and reads it on the event loop; unref'd so output alone never keeps PID 1's loop alive.
        socket = new (net().Socket)({ fd: ends.readFd, readable: true, writable: false });
        socket.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
        socket.on('error', () => undefined);
        socket.unref();
      }
      return ends.writeFd;
    },
    async close() {
      const reading = socket;
      if (ends !== undefined) sys.close(ends.writeFd);
      ends = undefined;
      socket = undefined;
      if (reading !== undefined && !reading.readableEnded) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, DRAIN_MS);
          reading.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        reading.destroy();
      }
      take(decoder.end());
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}
