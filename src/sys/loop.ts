// Loop devices: a file as a block device, through /dev/loop-control (LOOP_CTL_GET_FREE) and LOOP_CONFIGURE,
// set to clear itself (LO_FLAGS_AUTOCLEAR) when its last user goes.
import { fstatSync } from 'node:fs';
import { checkFd, checkPath } from './check';
import { close, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_RDWR, open, setNonBlocking } from './fd';
import { check, lastErrno, libc } from './libc';
import { encodeLoopConfig, LO_FLAGS_AUTOCLEAR, LO_FLAGS_READ_ONLY } from './loop-config';
import { viaNode } from './node-error';
import { SysError } from './sys-error';

// ioctl requests of <linux/loop.h>: plain numbers, not _IOW() encodings, so the same on every architecture.
const LOOP_CLR_FD = 0x4c01;
const LOOP_CONFIGURE = 0x4c0a;
const LOOP_CTL_GET_FREE = 0x4c82;

const LOOP_CONTROL = '/dev/loop-control';

// errno values from <asm-generic/errno-base.h>, the same on x86_64 and aarch64.
const EBUSY = 16;
const EINVAL = 22;

/**
 * How often a free device is asked for again when another process configured it between our
 * LOOP_CTL_GET_FREE and LOOP_CONFIGURE (EBUSY): each round is a fresh device, so a few suffice.
 */
export const LOOP_ATTACH_ATTEMPTS = 8;

/** An attached loop device and the descriptor that holds it. */
export interface LoopDevice {
  /** `/dev/loopN`. */
  device: string;
  /**
   * Open on the device, close-on-exec. The device clears itself when its last opener goes (LO_FLAGS_AUTOCLEAR):
   * mount it first, then close this, and the device is freed when that mount goes too. Closing it before
   * anything else holds the device frees the device at once.
   */
  fd: number;
}

/**
 * Attaches `file` (a regular file or a block device) to a free loop device, read-only when asked, and
 * returns the device with the descriptor that keeps it attached until the caller has mounted it.
 * A FIFO or a character device is refused by the kernel (EINVAL), never waited on: the file is opened
 * with O_NONBLOCK.
 */
export function attachLoop(file: string, options: { readOnly: boolean }): LoopDevice {
  checkPath('attachLoop', 'file', file);
  const { readOnly } = options;
  const backing = open({ path: file, flags: (readOnly ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC });
  try {
    // O_NONBLOCK was only for opening a FIFO without waiting for a writer; the device's I/O must block.
    setNonBlocking(backing, false);
    const flags = LO_FLAGS_AUTOCLEAR | (readOnly ? LO_FLAGS_READ_ONLY : 0);
    const config = encodeLoopConfig({ fd: backing, flags, fileName: file });
    for (let attempt = 1; attempt <= LOOP_ATTACH_ATTEMPTS; attempt++) {
      const device = `/dev/loop${freeLoopNumber()}`;
      const fd = open({ path: device, flags: (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC });
      if (libc().ioctl(fd, LOOP_CONFIGURE, 'uint8_t *', config) === 0) return { device, fd };
      const errno = lastErrno();
      close(fd);
      if (errno === EBUSY) continue;
      throw new SysError({ syscall: 'ioctl', errno, args: { request: 'LOOP_CONFIGURE', device, file, readOnly }, hint: errno === EINVAL ? notAttachable(backing) : undefined });
    }
    throw new SysError({
      syscall: 'ioctl',
      errno: EBUSY,
      args: { request: 'LOOP_CONFIGURE', file, readOnly },
      hint: `another process took the free loop device first, ${LOOP_ATTACH_ATTEMPTS} times in a row`,
    });
  } finally {
    // The kernel holds its own reference to the file once configured.
    close(backing);
  }
}

/** Detaches `device` from its file (LOOP_CLR_FD); a device still mounted is detached when its last user goes. */
export function detachLoop(device: string): void {
  checkPath('detachLoop', 'device', device);
  const fd = open({ path: device, flags: O_RDONLY | O_CLOEXEC });
  try {
    check(libc().ioctl(fd, LOOP_CLR_FD), 'ioctl', { request: 'LOOP_CLR_FD', device });
  } finally {
    close(fd);
  }
}

// The number of a free loop device; the kernel creates one when none is free.
function freeLoopNumber(): number {
  const control = open({ path: LOOP_CONTROL, flags: O_RDWR | O_CLOEXEC });
  try {
    return check(libc().ioctl(control, LOOP_CTL_GET_FREE), 'ioctl', { request: 'LOOP_CTL_GET_FREE', path: LOOP_CONTROL });
  } finally {
    close(control);
  }
}

// Why LOOP_CONFIGURE said EINVAL, when the file's type explains it.
function notAttachable(fd: number): string | undefined {
  checkFd('fstat', 'fd', fd);
  const stat = viaNode('fstat', { fd }, () => fstatSync(fd));
  const kind = stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() ? 'a character device' : stat.isSocket() ? 'a socket' : stat.isDirectory() ? 'a directory' : undefined;
  return kind && `it is ${kind}; a loop device needs a regular file or a block device`;
}
