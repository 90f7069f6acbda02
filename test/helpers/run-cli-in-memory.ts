// Runs the CLI in-process with captured output and files served from memory or disk.
import { runCli } from '../../src/cli/run-cli';
import { processIo, type CliIo } from '../../src/cli/io';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bootstrap ...args`; `stdin` is what "-" reads. */
export async function runInMemory(args: string[], stdin?: string | Uint8Array): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readInput: (path) => (path === '-' ? { ok: true, bytes: typeof stdin === 'string' ? new TextEncoder().encode(stdin) : (stdin ?? new Uint8Array()) } : processIo.readInput(path)),
    readOptional: processIo.readOptional,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
