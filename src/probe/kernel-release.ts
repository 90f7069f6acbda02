// The running kernel's release, e.g. 6.1.0-28-amd64.
import { readOptional } from './read-optional';

/**
 * Read live from /proc: Node's os module takes uname() once when it loads, and a module in Node's startup snapshot
 * was loaded on the machine that built Node. Through readOptional, whose code the boot has run already.
 */
export function kernelRelease(): string {
  const text = readOptional('/proc/sys/kernel/osrelease');
  if (text === undefined) throw new Error('cannot read /proc/sys/kernel/osrelease: is /proc mounted?');
  return text.trim();
}
