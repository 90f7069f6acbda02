// The CLI's side effects, injected so verbs can be tested without a process.
import { readOptional } from '../probe/read-optional';
import { readConfigFile, type ConfigFileRead } from '../config/read-config-file';
import { fdWriter } from './fd-writer';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a config file or, for "-", standard input, with readConfigFile's bounds; never throws. */
  readInput: (path: string) => ConfigFileRead;
  /** Reads a file of the machine if it can, for optional facts (modules.dep). */
  readOptional: (path: string) => string | undefined;
}

/** The real process: fd 0, 1 and 2 and the filesystem. */
export const processIo: CliIo = {
  stdout: fdWriter(1),
  stderr: fdWriter(2),
  readInput: readConfigFile,
  readOptional,
};
