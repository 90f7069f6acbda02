// Handlers for `mountVirtual` and `mount`: wait for the device or tag, find the filesystem type, mount (a bind idmapped when asked).
import { existsSync } from 'node:fs';
import type { StepOf } from '../../plan/step';
import { mountedAt, readMountInfo } from '../../probe/mountinfo';
import { makeDirectories } from '../../sys/fs';
import { SysError } from '../../sys/index';
import type { BaseContext } from '../context';
import { findBlockDevice } from '../block-devices';
import { bindRemount, mountFlagBits } from '../mount-flags';
import { mountNfsExport } from '../nfs-mount';
import { waitUntil } from '../wait-until';

function currentMounts(): ReturnType<typeof readMountInfo> {
  // Before /proc is mounted nothing but the root is (checked first: the failed read would throw, at a cost).
  if (!existsSync('/proc/self/mountinfo')) return [];
  try {
    return readMountInfo();
  } catch {
    return [];
  }
}

/** proc, sysfs, devtmpfs, … unless the kernel or an earlier init already mounted them (and, `fresh`, they show our namespaces). */
export function mountVirtual(step: StepOf<'mountVirtual'>, context: BaseContext): { skipped: string } | void {
  const existing = mountedAt(currentMounts(), step.target);
  if (existing && existing.fsType === step.fsType && step.fresh === undefined) return { skipped: `${step.fsType} is already mounted on ${step.target}` };
  makeDirectories(step.target);
  context.sys.mount({ source: step.fsType, target: step.target, fsType: step.fsType, flags: mountFlagBits(step.flags), data: step.options || null });
}

// A virtio tag that is not registered yet: virtiofs says EINVAL ("tag not found"), 9p ENOENT.
const tagNotYet = new Set(['ENOENT', 'EINVAL', 'ENXIO', 'ENODEV']);

/** A configured mount (or the root): waits up to the step's timeout for its tag or device. */
export async function mountFileSystem(step: StepOf<'mount'>, context: BaseContext): Promise<void> {
  makeDirectories(step.target);
  if (step.fsType === 'overlay') prepareOverlayDirectories(step.options);
  const flags = mountFlagBits(step.flags);
  const data = step.options || null;
  const wait = step.wait;
  if (wait?.kind === 'tag') {
    let lastError: SysError | undefined;
    await waitUntil(
      () => {
        try {
          context.sys.mount({ source: step.device, target: step.target, fsType: step.fsType, flags, data });
          return true;
        } catch (error) {
          if (!(error instanceof SysError) || !tagNotYet.has(error.code)) throw error;
          lastError = error;
          return undefined;
        }
      },
      { timeoutMs: wait.timeoutMs },
      () => new SysError({ syscall: 'mount', errno: lastError?.errno ?? 2, args: { source: step.device, target: step.target, fsType: step.fsType }, hint: `${wait.fsType} tag "${wait.tag}" did not appear within ${wait.timeoutMs}ms` }),
    );
    return;
  }
  if (wait?.kind === 'server') {
    await mountNfsExport(step, wait, flags, context);
    return;
  }
  let device = step.device;
  let fsType = step.fsType;
  if (wait?.kind === 'device') {
    const found = await waitUntil(
      () => findBlockDevice(wait.device),
      { timeoutMs: wait.timeoutMs },
      () => new Error(`device ${wait.device} did not appear within ${wait.timeoutMs}ms (looked in /dev and /sys/class/block)`),
    );
    device = found.path;
    if (fsType === 'auto') {
      if (!found.identity) throw new Error(`cannot tell the filesystem type of ${device}; set fsType`);
      fsType = found.identity.type;
    }
    if (device !== step.device) context.log.debug(`${step.device} is ${device} (${fsType})`);
  }
  if (!step.flags.includes('MS_BIND')) {
    context.sys.mount({ source: device, target: step.target, fsType, flags, data });
    return;
  }
  // The bind itself takes no other flag; a second call applies them (see bindRemount), to an idmapped bind too.
  if (step.idMap) context.sys.bindIdmapped({ source: device, target: step.target, users: step.idMap.users, groups: step.idMap.groups });
  else context.sys.mount({ source: device, target: step.target, fsType, flags: mountFlagBits(['MS_BIND']), data });
  const remount = bindRemount(step.flags, mountedAt(currentMounts(), step.target)?.options ?? '');
  if (remount.ignored.length > 0) context.log.warn(`bind mount on ${step.target}: ${remount.ignored.join(' ')} belong to the filesystem of ${device} and cannot be set on a bind; ignored`);
  if (remount.flags !== undefined) context.sys.mount({ source: null, target: step.target, fsType: null, flags: remount.flags, data: null });
}

// overlayfs needs upperdir and workdir to exist; on a fresh tmpfs they do not.
function prepareOverlayDirectories(options: string): void {
  for (const option of options.split(',')) {
    const [key, value] = option.split('=', 2);
    if ((key === 'upperdir' || key === 'workdir') && value) makeDirectories(value);
  }
}
