// Reads a file or a descriptor with bounds: a size cap, and (for a path) only a regular file, opened so a FIFO cannot block.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a bounded read gave no bytes. */
export type BoundedReadFailure =
  | { reason: 'not-regular'; kind: string }
  | { reason: 'too-large'; size: number | undefined }
  | { reason: 'error'; error: NodeJS.ErrnoException };

/** The bytes read, or why there are none. */
export type BoundedRead = { ok: true; bytes: Buffer } | ({ ok: false } & BoundedReadFailure);

const CHUNK = 64 * 1024;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** What a file that is not a regular file is, in words. */
export function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Everything `fd` gives until end of file, or too-large as soon as it gives more than `maxBytes`. */
export function readDescriptor(fd: number, maxBytes: number): BoundedRead {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - total));
    let count: number;
    try {
      count = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      // A descriptor someone made non-blocking (an inherited pipe): wait for data as a blocking read would.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      return { ok: false, reason: 'error', error: error as NodeJS.ErrnoException };
    }
    if (count === 0) return { ok: true, bytes: Buffer.concat(chunks, total) };
    chunks.push(chunk.subarray(0, count));
    total += count;
    if (total > maxBytes) return { ok: false, reason: 'too-large', size: undefined };
  }
}

/** The bytes of the regular file at `path`, at most `maxBytes` of them. */
export function readRegularFile(path: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once (and fstat then refuses it) instead of waiting for one.
    // O_NOCTTY: PID 1 opening a terminal by mistake must not make it its controlling terminal.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return { ok: false, reason: 'error', error: error as NodeJS.ErrnoException };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'not-regular', kind: fileKind(stat) };
    if (stat.size > maxBytes) return { ok: false, reason: 'too-large', size: stat.size };
    // The size is checked again while reading: a file may grow, and /proc files say 0.
    const read = readDescriptor(fd, maxBytes);
    return read.ok || read.reason !== 'too-large' ? read : { ok: false, reason: 'too-large', size: undefined };
  } catch (error) {
    return { ok: false, reason: 'error', error: error as NodeJS.ErrnoException };
  } finally {
    closeSync(fd);
  }
}
