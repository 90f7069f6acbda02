// Reads a text file that may be absent, with bounds: module metadata and /proc files whose paths a config may choose.
import { readRegularFile } from '../config/bounded-read';

/** The largest file read (modules.alias of a full distribution kernel is a few MiB). */
const MAX_OPTIONAL_BYTES = 64 * 1024 * 1024;

/**
 * The file's text, or undefined when it cannot be read: absent, unreadable, larger than 64 MiB, or not a regular
 * file, so a FIFO or /dev/zero at a path the config chose neither hangs nor exhausts the process.
 */
export function readOptional(path: string): string | undefined {
  const read = readRegularFile(path, MAX_OPTIONAL_BYTES);
  return read.ok ? read.bytes.toString('utf8') : undefined;
}
