// A log sink on the console that never blocks: a console nobody drains must not stall PID 1.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import type { LogSink } from './log';

/** A log sink with its own descriptor, closed when the log moves elsewhere. */
export type ConsoleSink = LogSink & { close(): void };

/** A sink writing to `devicePath` through its own non-blocking descriptor; text that does not fit is dropped. */
export function openConsoleSink(devicePath: string): ConsoleSink {
  let fd: number | undefined;
  try {
    // Our own open file description: O_NONBLOCK here does not touch fds 0-2, which children inherit blocking.
    fd = openSync(devicePath, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY | constants.O_APPEND);
  } catch {
    fd = undefined;
  }
  const target = fd ?? 2;
  return {
    write(text) {
      const bytes = Buffer.from(text);
      try {
        let offset = 0;
        // A terminal may take part of a line; what it does not take now is dropped, not waited for.
        while (offset < bytes.length) {
          const written = writeSync(target, bytes, offset);
          if (written <= 0) return false;
          offset += written;
        }
        return true;
      } catch {
        return false;
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
