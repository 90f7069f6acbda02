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

/** The validation of the config at `path` ("-" for standard input). */
export function readConfig(path: string, io: CliIo): ConfigRead {
  const read = io.readInput(path);
  if (!read.ok) {
    return {
      ioError: true,
      bytes: new Uint8Array(),
      result: { valid: false, diagnostics: [{ code: 'io-error', severity: 'error', pointer: '', line: 0, column: 0, message: read.error.message }], omitted: { errors: 0, warnings: 0 } },
    };
  }
  return { ioError: false, bytes: read.bytes, result: validateConfigText(read.bytes, { readFile: io.readOptional, checkModules }) };
}
