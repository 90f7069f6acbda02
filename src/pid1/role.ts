// Which PID 1 this process is: the machine's init, the init of a PID namespace, or a subreaper under another init.
import { readFileSync, readlinkSync } from 'node:fs';

/**
 * machine: PID 1 of the initial PID namespace; it owns the console and ends in reboot(2).
 * namespace: PID 1 of a PID namespace (a container, a subhost); it logs to what it inherited and ends by exiting.
 * subreaper: not PID 1; it adopts its own descendants' orphans and ends by exiting.
 */
export type Pid1Role = 'machine' | 'namespace' | 'subreaper';

/** The inode of the initial PID namespace (PROC_PID_INIT_INO), fixed by the kernel. */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

/** This process's role. Needs /proc to tell a machine from a namespace: call it after mounting /proc. */
export function detectRole(pid: number = process.pid): Pid1Role {
  if (pid !== 1) return 'subreaper';
  return isInitialPidNamespace() ? 'machine' : 'namespace';
}

// Kernel threads (kthreadd, pid 2) are visible only from the initial namespace: a second sign when the
// namespace link cannot be read.
function isInitialPidNamespace(): boolean {
  try {
    return readlinkSync('/proc/self/ns/pid') === INITIAL_PID_NAMESPACE;
  } catch {
    // No /proc/self/ns: fall through to the second sign.
  }
  try {
    return readFileSync('/proc/2/comm', 'utf8').trim() === 'kthreadd';
  } catch {
    return false;
  }
}
