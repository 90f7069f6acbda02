// MS_* flag names of the plan → the numbers mount(2) takes.
import * as mountConstants from '../sys/mount';
import type { MountFlag } from '../plan/step';

/** The bitwise OR of the named flags. */
export function mountFlagBits(flags: readonly MountFlag[]): number {
  return flags.reduce((bits, flag) => bits | mountConstants[flag], 0);
}
