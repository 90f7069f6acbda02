// Handlers for `checkHandoff` and `switchRoot`: make sure the new root can run the handoff, then move into it.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { posix } from 'node:path';
import type { StepOf } from '../../plan/step';
import { isElf } from '../../elf/elf-dynamic';
import { readElfInterpreter } from '../../elf/elf-interpreter';
import { readAtDescriptor } from '../../probe/read-at';
import { mountedAt, readMountInfo } from '../../probe/mountinfo';
import { makeDirectories } from '../../sys/fs';
import { MS_MOVE } from '../../sys/mount';
import type { BaseContext } from '../context';
import type { Logger } from '../../log/log';
import { enterRoot } from './enter-root';
import { resolveInRoot } from '../resolve-in-root';
import { nowMs } from '../../clock';

// What execve would need: an executable regular file whose interpreter (#! line or ELF PT_INTERP) exists too.
function checkExecutable(root: string, program: string, depth = 0): void {
  const real = resolveInRoot(root, program);
  const stat = statSync(real);
  if (!stat.isFile()) throw new Error(`${program} in ${root} is not a regular file`);
  if ((stat.mode & 0o111) === 0) throw new Error(`${program} in ${root} is not executable (mode ${(stat.mode & 0o7777).toString(8)})`);
  const fd = openSync(real, 'r');
  let script: string | undefined;
  let loader: string | undefined;
  try {
    const readAt = readAtDescriptor(fd);
    const bytes = readAt(0, 256);
    if (bytes[0] === 0x23 && bytes[1] === 0x21) {
      if (depth < 4) script = new TextDecoder().decode(bytes.subarray(2)).split('\n')[0]!.trim().split(/\s+/)[0];
    } else if (isElf(bytes)) {
      // The program headers and PT_INTERP: a few hundred bytes, whatever the size of the program.
      loader = readElfInterpreter(readAt);
    }
  } finally {
    closeSync(fd);
  }
  if (script) checkExecutable(root, script, depth + 1);
  if (loader) {
    try {
      resolveInRoot(root, loader);
    } catch {
      throw new Error(`${program} in ${root} needs the dynamic loader ${loader}, which the new root lacks`);
    }
  }
}

/** Fails while the initramfs is still there to debug in, instead of after the switch. */
export function checkHandoff(step: StepOf<'checkHandoff'>): void {
  for (const program of step.programs) {
    try {
      checkExecutable(step.root, program);
    } catch (error) {
      const message = (error as Error).message;
      throw new Error(message.startsWith(program) ? message : `${program}: ${message}`);
    }
  }
}

// Deletes the initramfs contents to free its memory, never crossing into another filesystem (the new root, /dev, …):
// only directories are looked at (a file cannot hold a mount below it); the rest is unlinked as readdir names it.
function freeInitramfs(directory: string, device: number, keep: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = posix.join(directory, entry.name);
    if (path === keep) continue;
    if (entry.isDirectory()) {
      if (lstatSync(path).dev !== device) continue;
      freeInitramfs(path, device, keep);
      try {
        rmdirSync(path);
      } catch {
        // A directory holding a mount point of another device stays.
      }
    } else {
      try {
        unlinkSync(path);
      } catch {
        // A file with something mounted on it stays, as a directory holding a mount does.
      }
    }
  }
}

/**
 * Mode `move` (the initramfs way): moves /dev /proc /sys /run into the new root, frees the initramfs, and makes the
 * new root `/`. The other modes (pivot, chroot, none) are enterRoot's.
 */
export function switchRoot(step: StepOf<'switchRoot'>, context: BaseContext): void {
  if (step.mode !== 'move') return enterRoot({ ...step, mode: step.mode }, context);
  const { sys, log } = context;
  const mounts = readMountInfo();
  for (const point of step.carryMounts) {
    if (!mountedAt(mounts, point)) continue;
    const target = `${step.newRoot}${point}`;
    makeDirectories(target);
    sys.mount({ source: point, target, fsType: null, flags: MS_MOVE, data: null });
  }
  sys.chdir(step.newRoot);
  // Only an initramfs (ramfs/tmpfs as /) is deleted: anything else may be a real disk.
  if (!sys.isRamfsOrTmpfs('/')) {
    log.debug('/ is not a ramfs or tmpfs: leaving its contents alone');
  } else if (step.freeInitramfs === 'after-handoff' && context.afterHandoff && mountedAt(mounts, '/proc') && step.carryMounts.includes('/proc')) {
    // After the switch the old root is reachable only through a descriptor, by its /proc/self/fd path.
    const oldRoot = openSync('/', constants.O_RDONLY | constants.O_DIRECTORY);
    const device = fstatSync(oldRoot).dev;
    context.afterHandoff.push(() => freeOldRoot(oldRoot, device, step.newRoot, log));
  } else {
    freeInitramfs('/', statSync('/').dev, step.newRoot);
  }
  sys.mount({ source: '.', target: '/', fsType: null, flags: MS_MOVE, data: null });
  sys.chroot('.');
  sys.chdir('/');
}

// Frees the initramfs once the handoff runs, through the descriptor kept on its root; a failure is logged, never fatal.
function freeOldRoot(fd: number, device: number, newRoot: string, log: Logger): void {
  const started = nowMs();
  const root = `/proc/self/fd/${fd}`;
  try {
    freeInitramfs(root, device, posix.join(root, newRoot));
    log.info(`freed the initramfs after the handoff started (${(nowMs() - started).toFixed(1)}ms)`);
  } catch (error) {
    log.warn(`could not free all of the initramfs after the handoff: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
