// Log sinks on the console or on inherited standard error that never block: a console nobody drains must not stall PID 1.
import { closeSync, constants, fstatSync, openSync, writeSync } from 'node:fs';
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
  return descriptorSink(fd ?? 2, () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  });
}

/**
 * A sink on what this process inherited as `fd` (standard error by default). A regular file is written
 * through that very descriptor: reopening it would start a second offset, and our lines and the lines of
 * children writing to the same file would overwrite each other. A terminal or a pipe is reopened
 * non-blocking through /proc/self/fd, so a reader that stopped reading cannot stall us.
 */
export function openInheritedSink(fd = 2): ConsoleSink {
  let regular = false;
  try {
    regular = fstatSync(fd).isFile();
  } catch {
    // A closed descriptor: writes fail and count as dropped.
  }
  return regular ? descriptorSink(fd, () => undefined) : openConsoleSink(`/proc/self/fd/${fd}`);
}

function descriptorSink(fd: number, close: () => void): ConsoleSink {
  return {
    write(text) {
      const bytes = Buffer.from(text);
      try {
        let offset = 0;
        // A terminal may take part of a line; what it does not take now is dropped, not waited for.
        while (offset < bytes.length) {
          const written = writeSync(fd, bytes, offset);
          if (written <= 0) return false;
          offset += written;
        }
        return true;
      } catch {
        return false;
      }
    },
    close,
  };
}
