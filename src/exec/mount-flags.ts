// MS_* flag names of the plan → the numbers mount(2) takes, and the second call a bind mount needs for its flags.
import * as mountConstants from '../sys/mount';
import type { MountFlag } from '../plan/step';

/** The bitwise OR of the named flags. */
export function mountFlagBits(flags: readonly MountFlag[]): number {
  return flags.reduce((bits, flag) => bits | mountConstants[flag], 0);
}

// Flags of the mount itself, which MS_REMOUNT | MS_BIND can set on a bind; the others belong to the superblock.
const perMount = new Set<MountFlag>(['MS_RDONLY', 'MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC', 'MS_NOATIME', 'MS_RELATIME', 'MS_STRICTATIME']);

// Per-mount options as /proc/self/mountinfo lists them; atime options are left out: the kernel keeps them on a remount without one.
const inheritedOption: Record<string, number> = {
  ro: mountConstants.MS_RDONLY,
  nosuid: mountConstants.MS_NOSUID,
  nodev: mountConstants.MS_NODEV,
  noexec: mountConstants.MS_NOEXEC,
  nosymfollow: mountConstants.MS_NOSYMFOLLOW,
};

/** The remount a bind needs for its flags, or none; `ignored` are filesystem flags a bind cannot have of its own. */
export interface BindRemount {
  /** MS_REMOUNT | MS_BIND | the flags asked for | those the bind inherited (mountinfo `inherited`), or undefined when none was asked for. */
  flags: number | undefined;
  ignored: MountFlag[];
}

/**
 * mount(2) ignores MS_RDONLY, MS_NOSUID, … when it creates a bind; they take effect only through a second call with
 * MS_REMOUNT | MS_BIND, which replaces the bind's flags: those it inherited from its source (`inherited`, the options
 * field of its mountinfo line) are kept so that asking for readOnly does not drop a source's nosuid.
 */
export function bindRemount(flags: readonly MountFlag[], inherited: string): BindRemount {
  const asked = flags.filter((flag) => perMount.has(flag));
  const ignored = flags.filter((flag) => flag !== 'MS_BIND' && !perMount.has(flag));
  if (asked.length === 0) return { flags: undefined, ignored };
  const kept = inherited.split(',').reduce((bits, option) => bits | (inheritedOption[option] ?? 0), 0);
  return { flags: mountConstants.MS_REMOUNT | mountConstants.MS_BIND | kept | mountFlagBits(asked), ignored };
}
