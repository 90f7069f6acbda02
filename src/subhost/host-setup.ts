// The subhost's root, made on the host as the seeds make it (an overlay, bind or image mount at LIVE, visible
// to the administrator and kept while the subhost hibernates), and its undoing. Every change is recorded
// before the next one is made, so a start cut short can be undone from the record.
import { existsSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { mountsBelow, readMountInfo, type MountInfoEntry } from '../probe/mountinfo';
import type { Logger } from '../log/log';
import { MNT_DETACH, MS_BIND, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT } from '../sys/mount';
import { makeDirectories } from '../sys/fs';
import { SysError, type Sys } from '../sys/index';
import { hostIfupdown, type IfUpDown } from './ifupdown';
import { imageType } from './preflight';
import type { HostChange } from './subhost-state';
import { overlayOptions, type SubhostSpec } from './subhost-spec';

export interface HostSetupDeps {
  sys: Pick<Sys, 'mount' | 'umount' | 'attachLoop' | 'close'>;
  log: Logger;
  /** Called with each change just after it was made: the caller records it in the state. */
  record: (change: HostChange) => void;
}

/** Mounts the subhost's root at live (and the tmpfs or image holding upper), then its shares. */
export function setUpRoot(spec: SubhostSpec, deps: HostSetupDeps): void {
  const { sys, log, record } = deps;
  const mount = (what: string, source: string, target: string, fsType: string | null, flags: number, data: string | null): void => {
    log.info(`mount ${what}: ${source} on ${target}${data ? ` (${data})` : ''}`);
    sys.mount({ source, target, fsType, flags, data });
    record({ kind: 'mount', target });
    // A mount under a shared parent would join its peer group and appear in other namespaces: keep it the host's.
    sys.mount({ target, flags: MS_PRIVATE | (flags & MS_REC) });
  };
  const directory = (path: string): void => {
    if (existsSync(path)) return;
    makeDirectories(path);
    record({ kind: 'directory', path });
  };

  if (spec.ramSize !== undefined) {
    directory(spec.ramDirectory);
    mount('the tmpfs holding upper and work', 'tmpfs', spec.ramDirectory, 'tmpfs', 0, `size=${spec.ramSize},mode=0755`);
    makeDirectories(spec.upper);
    makeDirectories(spec.work);
  } else if (spec.image !== undefined) {
    directory(spec.imageDirectory);
    // Autoclear: the device frees itself when its last user goes, so it is mounted before our descriptor closes.
    const loop = sys.attachLoop(spec.image, { readOnly: false });
    log.info(`image ${spec.image} is ${loop.device}`);
    try {
      mount('the image', loop.device, spec.imageDirectory, imageType(spec.image), 0, null);
    } finally {
      sys.close(loop.fd);
    }
    for (const [what, path] of [['root', spec.upper], ['work', spec.work]] as const) {
      if (!isDirectory(path)) throw new Error(`image ${spec.image}: has no /${what} directory (the subhost scripts' layout: /root is the upper layer, /work the overlay's work directory)`);
    }
  }
  switch (spec.setup) {
    case 'overlay':
      mount('the root (overlay)', 'overlay', spec.live, 'overlay', 0, overlayOptions(spec));
      break;
    case 'bind':
      mount('the root (bind)', spec.upper, spec.live, null, MS_BIND | MS_REC, null);
      break;
    case 'live':
      log.info(`the root is ${spec.live} as it is (upper = lower = live): no mount`);
      break;
  }
  for (const share of spec.share) {
    const target = posix.join(spec.live, share.target);
    makeShareTarget(share.source, target);
    mount(`share ${share.source}`, share.source, target, null, MS_BIND | MS_REC, null);
    if (share.readOnly) sys.mount({ source: share.source, target, flags: MS_BIND | MS_REMOUNT | MS_RDONLY });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// A bind mount needs a target of its kind: a directory for a directory, a file for anything else.
function makeShareTarget(source: string, target: string): void {
  if (existsSync(target)) return;
  if (isDirectory(source)) return makeDirectories(target);
  makeDirectories(posix.dirname(target));
  writeFileSync(target, '', { flag: 'wx' });
}

export interface UndoDeps {
  sys: Pick<Sys, 'umount' | 'deleteLink'>;
  log: Logger;
  /** The host's ifdown; by default found on the host when a change needs it. */
  ifdown?: IfUpDown | undefined;
}

/** Undoes recorded changes newest first; every failure is reported and the rest still undone. Returns the failures. */
export function undoChanges(changes: readonly HostChange[], spec: SubhostSpec, deps: UndoDeps): string[] {
  const { sys, log } = deps;
  const failures: string[] = [];
  const attempt = (what: string, action: () => void): void => {
    try {
      action();
    } catch (error) {
      failures.push(`${what}: ${(error as Error).message}`);
      log.warn(`${what}: ${(error as Error).message}`);
    }
  };
  // Mounts someone made under the subhost's trees (a POSTMOUNT hook, an administrator) go first, deepest first.
  const recorded = new Set(changes.filter((change) => change.kind === 'mount').map((change) => change.target));
  const trees = [spec.live, spec.imageDirectory, spec.ramDirectory];
  let mounts: MountInfoEntry[];
  try {
    mounts = readMountInfo();
  } catch (error) {
    failures.push(`reading /proc/self/mountinfo: ${(error as Error).message}`);
    mounts = [];
  }
  for (const tree of trees) {
    for (const point of mountsBelow(mounts, tree)) {
      if (recorded.has(point)) continue;
      attempt(`unmount ${point}`, () => sys.umount({ target: point, flags: MNT_DETACH }));
    }
  }
  const mounted = new Set(mounts.map((entry) => entry.mountPoint));
  for (const change of [...changes].reverse()) {
    switch (change.kind) {
      case 'mount':
        // Stacked mounts at one point (a share over a share) each have a record: one unmount per record.
        if (!mounted.has(change.target)) break;
        log.info(`unmount ${change.target}`);
        attempt(`unmount ${change.target}`, () => sys.umount({ target: change.target, flags: MNT_DETACH }));
        break;
      case 'netns':
        log.info(`remove the network namespace ${change.path}`);
        if (mounted.has(change.path)) attempt(`unmount ${change.path}`, () => sys.umount({ target: change.path, flags: MNT_DETACH }));
        attempt(`remove ${change.path}`, () => existsSync(change.path) && unlinkSync(change.path));
        break;
      case 'directory':
        attempt(`remove ${change.path}`, () => existsSync(change.path) && rmdirSync(change.path));
        break;
      case 'ifup': {
        // Only a warning: the interface goes next whatever ifdown says.
        log.info(`ifdown ${change.name}`);
        const ifdown = 'ifdown' in deps ? deps.ifdown : hostIfupdown('ifdown');
        const failure = ifdown === undefined ? `the host has no ifdown to deconfigure ${change.name}` : ifdown(change.name);
        if (failure !== undefined) log.warn(`${failure}; removing ${change.name} all the same`);
        break;
      }
      case 'link':
        log.info(`remove the interface ${change.name}`);
        attempt(`remove the interface ${change.name}`, () => deleteLinkIfPresent(sys, change.name));
        break;
    }
  }
  return failures;
}

// A veth pair goes with either end: when the subhost's network namespace went (its file unmounted, its processes
// gone), the host end went with it, and ENODEV says it is done.
function deleteLinkIfPresent(sys: Pick<Sys, 'deleteLink'>, name: string): void {
  try {
    sys.deleteLink(name);
  } catch (error) {
    if (!(error instanceof SysError && error.code === 'ENODEV')) throw error;
  }
}
