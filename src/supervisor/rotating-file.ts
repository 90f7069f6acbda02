// A log file that rotates by size: FILE → FILE.1 → … → FILE.N, the oldest deleted.
import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectories } from '../sys/fs';

/** An append-only writer of whole lines to a file kept under a size. */
export interface RotatingFile {
  write(text: string): void;
  close(): void;
}

/**
 * Opens (creating its directory) `file` for appending. Before a write that would take it past
 * `maxSize` bytes it is rotated, keeping `maxFiles` older files; a single line longer than
 * `maxSize` is written whole into a fresh file. Writes to a regular file do not block PID 1 the
 * way a terminal can, so they are synchronous; a failing write is reported once to `onError`.
 */
export function openRotatingFile(file: string, maxSize: number, maxFiles: number, onError: (message: string) => void): RotatingFile {
  let fd: number | undefined;
  let size = 0;
  let failed = false;
  const fail = (error: unknown): void => {
    if (!failed) onError(`log file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    failed = true;
  };
  const open = (): number => {
    makeDirectories(dirname(file));
    fd = openSync(file, 'a', 0o640);
    size = fstatSync(fd).size;
    return fd;
  };
  const rotate = (): number => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    if (maxFiles === 0) rmSync(file, { force: true });
    else {
      rmSync(`${file}.${maxFiles}`, { force: true });
      for (let index = maxFiles - 1; index >= 1; index--) {
        try {
          renameSync(`${file}.${index}`, `${file}.${index + 1}`);
        } catch {
          // ENOENT: fewer rotated files than maxFiles so far.
        }
      }
      renameSync(file, `${file}.1`);
    }
    return open();
  };
  try {
    open();
  } catch (error) {
    fail(error);
  }
  return {
    write(text) {
      const bytes = Buffer.from(text);
      try {
        let target = fd ?? open();
        if (size > 0 && size + bytes.length > maxSize) target = rotate();
        size += writeSync(target, bytes);
        failed = false;
      } catch (error) {
        fail(error);
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
