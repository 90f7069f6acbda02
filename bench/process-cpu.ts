// A process's CPU time from /proc, for benches whose wall-clock figures follow the host's load.
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc/PID/stat's times, 100 on every Linux architecture this project builds for.
const ticksPerSecond = 100;

/**
 * User plus system CPU seconds of process `pid` (all its threads, live and ended), or NaN when it is gone.
 * The name field (2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function processCpuSeconds(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // After ')': field 3 (state) is index 0, so utime (14) and stime (15) are indexes 11 and 12.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
