// Reads a config: a regular file of at most 16 MiB, or standard input ("-") up to the same size, never hanging on a FIFO.
import { readDescriptor, readRegularFile, type BoundedRead } from './bounded-read';

/** The largest config read: far above any real one, and a bound so a wrong path (/dev/zero, a log) cannot exhaust memory. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Why a config could not be read. */
export type ConfigReadReason = 'not-found' | 'permission' | 'not-regular' | 'too-large' | 'io';

/** A config that could not be read; the message names the file and the cause, for a person. */
export class ConfigReadError extends Error {
  constructor(
    readonly path: string,
    readonly reason: ConfigReadReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigReadError';
  }
}

/** The bytes of a config, or why there are none. */
export type ConfigFileRead = { ok: true; bytes: Uint8Array } | { ok: false; error: ConfigReadError };

const limit = `a config is at most ${MAX_CONFIG_BYTES / 1048576} MiB, a bound that keeps a wrong path such as /dev/zero from exhausting memory`;

function failure(path: string, read: Exclude<BoundedRead, { ok: true }>): ConfigReadError {
  const where = path === '-' ? 'standard input' : path;
  switch (read.reason) {
    case 'not-regular':
      if (read.kind === 'a directory') return new ConfigReadError(path, 'not-regular', `cannot read ${where}: it is a directory, not a config file`);
      return new ConfigReadError(path, 'not-regular', `cannot read ${where}: it is ${read.kind}, not a regular file; a config is a regular file, or standard input given as -`);
    case 'too-large':
      return new ConfigReadError(path, 'too-large', `cannot read ${where}: ${read.size === undefined ? 'it is larger than' : `it is ${read.size} bytes, more than`} ${MAX_CONFIG_BYTES / 1048576} MiB; ${limit}`);
    case 'error': {
      const { code, message } = read.error;
      if (code === 'ENOENT') return new ConfigReadError(path, 'not-found', `cannot read ${where}: no such file`, { cause: read.error });
      if (code === 'EACCES' || code === 'EPERM') return new ConfigReadError(path, 'permission', `cannot read ${where}: permission denied`, { cause: read.error });
      if (code === 'EISDIR') return new ConfigReadError(path, 'not-regular', `cannot read ${where}: it is a directory, not a config file`, { cause: read.error });
      return new ConfigReadError(path, 'io', `cannot read ${where}: ${code ?? ''} ${message}`.trim(), { cause: read.error });
    }
  }
}

/**
 * Reads the config at `path`, or standard input for "-"; never throws, never blocks on a FIFO without a writer,
 * and never reads more than MAX_CONFIG_BYTES. A path must be a regular file; standard input may be anything.
 */
export function readConfigFile(path: string): ConfigFileRead {
  if (path.includes('\0')) return { ok: false, error: new ConfigReadError(path, 'not-found', `cannot read ${JSON.stringify(path)}: a path cannot contain a NUL character`) };
  const read = path === '-' ? readDescriptor(0, MAX_CONFIG_BYTES) : readRegularFile(path, MAX_CONFIG_BYTES);
  return read.ok ? { ok: true, bytes: read.bytes } : { ok: false, error: failure(path, read) };
}
