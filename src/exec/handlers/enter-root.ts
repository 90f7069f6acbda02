// switchRoot.mode pivot, chroot and none: entering the new root of a container's or subhost's mount namespace.
import type { StepOf } from '../../plan/step';
import { mountedAt, readMountInfo, type MountInfoEntry } from '../../probe/mountinfo';
import { makeDirectories } from '../../sys/fs';
import { MNT_DETACH, MS_BIND, MS_PRIVATE, MS_REC } from '../../sys/mount';
import type { BaseContext } from '../context';

/** The step's modes this file handles; `move` (the initramfs way) is switchRoot's own. */
export type EnterMode = Exclude<StepOf<'switchRoot'>['mode'], 'move'>;

/**
 * Why pivot_root(2) cannot work from this mount table, or undefined: the initramfs (rootfs) cannot be taken away from
 * under the kernel, and pivot_root fails with EINVAL there. Said before trying, with what to use instead.
 */
export function pivotRefusal(mounts: readonly MountInfoEntry[]): string | undefined {
  if (mountedAt(mounts, '/')?.fsType !== 'rootfs') return undefined;
  return (
    'switchRoot.mode pivot: / is the initramfs (rootfs), which pivot_root(2) cannot pivot away from (EINVAL); ' +
    'leave `mode` out to switch the initramfs way (move the new root onto / and chroot), or use mode: chroot'
  );
}

/**
 * Binds /dev /proc /sys /run, each with what is mounted below it, into the new root, then enters it as `step.mode`
 * says. Bound, not moved: in a user namespace the mounts inherited from the parent are locked to their place and
 * MS_MOVE refuses them with EINVAL (measured on 6.18); a recursive bind works in every case, and with pivot the
 * originals go with the detached old root anyway.
 */
export function enterRoot(step: StepOf<'switchRoot'> & { mode: EnterMode }, context: BaseContext): void {
  const { sys, log } = context;
  const mounts = readMountInfo();
  const refusal = step.mode === 'pivot' ? pivotRefusal(mounts) : undefined;
  if (refusal !== undefined) throw new Error(refusal);
  for (const point of step.carryMounts) {
    if (!mountedAt(mounts, point)) continue;
    const target = `${step.newRoot}${point}`;
    makeDirectories(target);
    sys.mount({ source: point, target, fsType: null, flags: MS_BIND | MS_REC, data: null });
  }
  switch (step.mode) {
    case 'none':
      log.debug(`switchRoot.mode none: the new root stays at ${step.newRoot}, / is unchanged`);
      return;
    case 'chroot':
      sys.chroot(step.newRoot);
      sys.chdir('/');
      return;
    case 'pivot':
      // pivot_root(2) refuses a new root, or a parent of the current root, with shared propagation (EINVAL); in our
      // own mount namespace nothing needs to propagate out of it.
      sys.mount({ source: null, target: '/', fsType: null, flags: MS_REC | MS_PRIVATE, data: null });
      sys.chdir(step.newRoot);
      // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then detaches the old root,
      // so no directory for it is needed in the new root (the technique of pivot_root(2)'s manual page).
      sys.pivotRoot('.', '.');
      sys.umount({ target: '.', flags: MNT_DETACH });
      sys.chdir('/');
      return;
  }
}
