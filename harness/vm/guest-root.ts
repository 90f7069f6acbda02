// Builds the busybox guest root of scripts/setup/guest-root.sh from a test.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../paths';
import { TestBedError } from './test-bed-error';

/** The line the guest root's /sbin/init prints first; tests wait for it. */
export const guestInitPattern = /guest-root: init reached pid=(\d+) uptime=([\d.]+)s/;

/** Fills `dir` with the guest root (busybox, applet links, /sbin/init that prints the marker and powers off). */
export function buildGuestRoot(dir: string): string {
  const script = join(repoRoot, 'scripts/setup/guest-root.sh');
  const result = spawnSync('bash', [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new TestBedError(`${script} ${dir} failed:\n${result.stderr}${result.stdout}`);
  return dir;
}
