// The CLI's side effects, injected so verbs can be tested without a process.
import { readRegularFile } from '../config/bounded-read';
import { readConfigFile, type ConfigFileRead } from '../config/read-config-file';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads a config file or, for "-", standard input, with readConfigFile's bounds; never throws. */
  readInput: (path: string) => ConfigFileRead;
  /** Reads a file of the machine if it can, for optional facts (modules.dep). */
  readOptional: (path: string) => string | undefined;
}

// modules.alias, the largest fact, is a few MiB; the config chooses these paths, so /dev/zero must not be read whole.
const MAX_FACT_BYTES = 64 * 1024 * 1024;

/** The real process: fd 0, 1 and 2 and the filesystem. */
export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readInput: readConfigFile,
  readOptional: (path) => {
    const read = readRegularFile(path, MAX_FACT_BYTES);
    return read.ok ? read.bytes.toString('utf8') : undefined;
  },
};
