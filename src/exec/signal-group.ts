// Signals a whole child: every child starts in a session (or group) of its own, so its pid names its process group.
import type { Sys } from '../sys/index';

/**
 * Sends `signal` to the process group `pid` leads, which reaches what the child started too. Returns why it
 * could not (ESRCH: the group is gone already, usually what the caller wanted), or undefined once sent.
 */
export function signalGroup(sys: Pick<Sys, 'kill'>, pid: number, signal: NodeJS.Signals): string | undefined {
  try {
    sys.kill(-pid, signal);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
