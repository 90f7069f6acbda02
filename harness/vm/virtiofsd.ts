// Starts trixie's virtiofsd (from .cache/virtiofsd) on a directory, with its socket in a private temp dir.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir, setupScript } from '../paths';
import { spawnTracked, tempDir, type ProcessExit } from './processes';
import { TestBedError } from './test-bed-error';

/** A running virtiofsd serving `dir` on the vhost-user socket `socket`. */
export interface Virtiofsd {
  dir: string;
  socket: string;
  pid: number | undefined;
  exited: Promise<ProcessExit>;
  /** What virtiofsd wrote to stderr so far (it logs only errors at our log level). */
  log(): string;
  stop(): Promise<ProcessExit>;
}

/** The wrapper written by scripts/setup/virtiofsd.sh. */
export const virtiofsdWrapper = join(cacheDir, 'virtiofsd', 'run-virtiofsd');

/** Starts virtiofsd and resolves once its socket exists; rejects with its stderr if it exits or stalls first. */
export async function startVirtiofsd(dir: string, timeoutMs = 10_000): Promise<Virtiofsd> {
  if (!existsSync(virtiofsdWrapper)) throw new TestBedError(`no virtiofsd (${virtiofsdWrapper} is missing): run ${setupScript}`);
  if (!existsSync(dir)) throw new TestBedError(`virtiofsd: shared directory ${dir} does not exist`);
  const socket = join(tempDir('virtiofsd'), 'vhost.sock');
  // --sandbox=none: the namespace sandbox adds start-up time and buys nothing for a throwaway test share.
  const daemon = spawnTracked(
    virtiofsdWrapper,
    [`--socket-path=${socket}`, `--shared-dir=${dir}`, '--sandbox=none', '--log-level=error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  daemon.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let ended = false;
  void daemon.exited.then(() => (ended = true));

  const deadline = Date.now() + timeoutMs;
  while (!existsSync(socket)) {
    if (ended) {
      const exit = await daemon.exited;
      throw new TestBedError(`virtiofsd exited (${describeExit(exit)}) before creating its socket:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await daemon.stop();
      throw new TestBedError(`virtiofsd did not create ${socket} within ${timeoutMs} ms:\n${stderr}`);
    }
    await sleep(10);
  }
  return { dir, socket, pid: daemon.child.pid, exited: daemon.exited, log: () => stderr, stop: () => daemon.stop() };
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
