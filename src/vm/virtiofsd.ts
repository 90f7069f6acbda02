// Starts virtiofsd on the guest's root directory and waits, bounded, for its vhost-user socket.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, type OwnedProcess, type ProcessOwner } from './owned-processes';
import { VmError } from './vm-error';
import { nowMs } from '../clock';

/** How long virtiofsd may take to create its socket. */
export const VIRTIOFSD_START_MS = 10_000;

/** What virtiofsd serves. */
export interface ShareSpec {
  dir: string;
  socket: string;
  /** Refuse every write (the default share: the guest writes into a tmpfs overlay instead). */
  readOnly: boolean;
}

/** virtiofsd's arguments: no sandbox (vm already runs with the rights it shares the tree with), errors only. */
export function virtiofsdArgs(share: ShareSpec): string[] {
  return [`--socket-path=${share.socket}`, `--shared-dir=${share.dir}`, '--sandbox=none', '--log-level=error', '--no-announce-submounts', ...(share.readOnly ? ['--readonly'] : [])];
}

/** Starts virtiofsd and resolves once its socket exists; throws VmError with its stderr when it ends or stalls first. */
export async function startVirtiofsd(owner: ProcessOwner, program: string, share: ShareSpec, timeoutMs = VIRTIOFSD_START_MS): Promise<OwnedProcess> {
  const daemon = owner.spawn('virtiofsd', program, virtiofsdArgs(share), ['ignore', 'ignore', 'pipe']);
  let ended = false;
  void daemon.exited.then(() => (ended = true));
  const deadline = nowMs() + timeoutMs;
  while (!existsSync(share.socket)) {
    if (ended) {
      const exit = await daemon.exited;
      throw new VmError(`virtiofsd ${program} ended (${describeExit(exit)}) before serving ${share.dir}${stderrPart(daemon)}`);
    }
    if (nowMs() > deadline) throw new VmError(`virtiofsd ${program} did not create its socket within ${timeoutMs}ms${stderrPart(daemon)}`);
    await sleep(10);
  }
  return daemon;
}

function stderrPart(daemon: OwnedProcess): string {
  const text = daemon.stderr().trim();
  return text === '' ? '' : `: ${text.split('\n').join(' | ')}`;
}
