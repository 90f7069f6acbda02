// The running kernel's release, e.g. 6.1.0-28-amd64.
import { readFileSync } from 'node:fs';

/** Read live from /proc (os.release() may come from the executable's build-time snapshot). */
export function kernelRelease(): string {
  return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
}
