// PID 1's console log: levelled lines that never block the boot (a console nobody reads must not stall it).
import type { LogLevel } from '../config/generated/config-types';

const rank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/** Where log lines go; `write` must not block and returns false when it dropped the text. */
export interface LogSink {
  write(text: string): boolean;
}

export interface Logger {
  level: LogLevel;
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Lines dropped because the console could not take them. */
  readonly dropped: number;
}

/** A logger writing `[seconds] bootstrap: level: message` lines at or above `level` to `sink`. */
// CLOCK_MONOTONIC counts from boot, like the kernel's own message timestamps.
const monotonicMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

export function createLogger(sink: LogSink, level: LogLevel, now: () => number = monotonicMs): Logger {
  let dropped = 0;
  const emit = (messageLevel: LogLevel, message: string): void => {
    if (rank[messageLevel] < rank[logger.level]) return;
    const seconds = (now() / 1000).toFixed(3).padStart(8);
    const line = `[${seconds}] bootstrap: ${messageLevel === 'info' ? '' : `${messageLevel}: `}${message}\n`;
    if (!sink.write(line)) dropped++;
  };
  const logger: Logger = {
    level,
    trace: (message) => emit('trace', message),
    debug: (message) => emit('debug', message),
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    error: (message) => emit('error', message),
    get dropped() {
      return dropped;
    },
  };
  return logger;
}
