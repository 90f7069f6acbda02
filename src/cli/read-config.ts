// Reads and validates a config file for a verb, turning I/O failures into diagnostics with exit code 2.
import { validateConfigText, type ValidationResult } from '../config/validate-config';
import { checkModules } from '../config/module-check';
import type { CliIo } from './io';

export interface ConfigRead {
  result: ValidationResult;
  /** The bytes read, for a verb that passes them on (pack); empty when unreadable. */
  bytes: Uint8Array;
  /** Set when the file could not be read at all (exit 2 rather than 1). */
  ioError: boolean;
}

/** Node's error codes for reading a path, in words. */
function describeReadError(path: string, error: NodeJS.ErrnoException): string {
  const where = path === '-' ? 'standard input' : path;
  switch (error.code) {
    case 'ENOENT':
      return `cannot read ${where}: no such file`;
    case 'EISDIR':
      return `cannot read ${where}: it is a directory, not a config file`;
    case 'EACCES':
      return `cannot read ${where}: permission denied`;
    default:
      return `cannot read ${where}: ${error.code ?? ''} ${error.message}`.trim();
  }
}

/** The validation of the config at `path` ("-" for standard input). */
export function readConfig(path: string, io: CliIo): ConfigRead {
  let bytes: Uint8Array;
  try {
    bytes = io.readInput(path);
  } catch (error) {
    return {
      ioError: true,
      bytes: new Uint8Array(),
      result: { valid: false, diagnostics: [{ code: 'io-error', severity: 'error', pointer: '', line: 0, column: 0, message: describeReadError(path, error as NodeJS.ErrnoException) }], omitted: { errors: 0, warnings: 0 } },
    };
  }
  return { ioError: false, bytes, result: validateConfigText(bytes, { readFile: io.readOptional, checkModules }) };
}
