// The CLI's side effects, injected so verbs can be tested without a process.
import { readFileSync } from 'node:fs';
import { readOptional } from '../probe/read-optional';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a file or, for "-", standard input; throws Node's errors (code ENOENT, EISDIR, …). */
  readInput: (path: string) => Uint8Array;
  /** Reads a file of the machine if it can, for optional facts (modules.dep). */
  readOptional: (path: string) => string | undefined;
}

/** The real process: fd 0, 1 and 2 and the filesystem. */
export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readInput: (path) => readFileSync(path === '-' ? 0 : path),
  readOptional,
};
