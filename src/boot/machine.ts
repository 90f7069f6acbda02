// Whether this process is the init of a whole machine, or of a PID namespace (a container, a test).
import { readFileSync, readlinkSync } from 'node:fs';

/** The inode of the initial PID namespace (PROC_PID_INIT_INO), fixed by the kernel. */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

/**
 * PID 1 in the initial PID namespace is the machine's init. Needs /proc: call it after mounting it.
 * Kernel threads (kthreadd, pid 2) are visible only from the initial namespace: a second sign.
 */
export function isMachineInit(pid: number = process.pid): boolean {
  if (pid !== 1) return false;
  try {
    if (readlinkSync('/proc/self/ns/pid') === INITIAL_PID_NAMESPACE) return true;
  } catch {
    // No /proc: fall through to the second sign.
  }
  try {
    return readFileSync('/proc/2/comm', 'utf8').trim() === 'kthreadd';
  } catch {
    return false;
  }
}

/** The running kernel's release, read live (os.release() may come from the build-time snapshot). */
export function kernelRelease(): string {
  return readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
}
