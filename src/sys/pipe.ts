// Pipes to children's stdin: pipe2 with close-on-exec, and writes that either block or report a full pipe.
import { checkFd } from './check';
import { O_CLOEXEC } from './fd';
import { lastErrno, libc } from './libc';
import { SysError } from './sys-error';

// errno values from <asm-generic/errno-base.h>, the same on x86_64 and aarch64.
const EINTR = 4;
const EAGAIN = 11;

/** Both ends of a pipe; each is close-on-exec, so only a child given one explicitly gets it. */
export interface Pipe {
  readFd: number;
  writeFd: number;
}

/** Creates a pipe whose ends are close-on-exec (and blocking). */
export function pipe(): Pipe {
  const fds = new Int32Array(2);
  if (libc().pipe2(fds, O_CLOEXEC) === -1) throw new SysError({ syscall: 'pipe2', errno: lastErrno(), args: { flags: O_CLOEXEC } });
  return { readFd: fds[0] ?? -1, writeFd: fds[1] ?? -1 };
}

/**
 * Writes as much of `bytes` as the descriptor takes now and returns how many bytes that was:
 * 0 when a non-blocking descriptor is full. A reader that went away is SysError EPIPE
 * (Node ignores SIGPIPE, so it does not kill us).
 */
export function writeSome(fd: number, bytes: Uint8Array): number {
  checkFd('write', 'fd', fd);
  if (bytes.length === 0) return 0;
  for (;;) {
    const written = libc().write(fd, bytes, bytes.length);
    if (written >= 0) return written;
    const errno = lastErrno();
    if (errno === EAGAIN) return 0;
    if (errno !== EINTR) throw new SysError({ syscall: 'write', errno, args: { fd, count: bytes.length } });
  }
}

/**
 * Writes all of `bytes`, blocking until the reader took them. On a non-blocking descriptor it
 * sleeps a millisecond whenever the pipe is full, so it still blocks rather than spins.
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = writeSome(fd, bytes.subarray(offset));
    if (written === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    offset += written;
  }
}
