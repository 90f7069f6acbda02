// Builds the busybox guest root of scripts/setup/guest-root.sh from a test.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../paths';
import { TestBedError } from './test-bed-error';

/** The line the guest root's /sbin/init prints first; tests wait for it. */
export const guestInitPattern = /guest-root: init reached pid=(\d+) uptime=([\d.]+)s/;

/** Another architecture's static busybox, and the command that runs it on this machine (to list its applets). */
export interface ForeignBusybox {
  busybox: string;
  runner: string;
}

/** Fills `dir` with the guest root (busybox, applet links, /sbin/init that prints the marker and powers off). */
export function buildGuestRoot(dir: string, foreign?: ForeignBusybox): string {
  const script = join(repoRoot, 'scripts/setup/guest-root.sh');
  const env = foreign ? { ...process.env, BUSYBOX: foreign.busybox, BUSYBOX_RUNNER: foreign.runner } : process.env;
  const result = spawnSync('bash', [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
  if (result.status !== 0) throw new TestBedError(`${script} ${dir} failed:\n${result.stderr}${result.stdout}`);
  return dir;
}
