// Bounded waits on a descriptor: poll(2) with a deadline, so no caller (PID 1's event loop least of all) waits forever.
import { endianness } from 'node:os';
import { checkFd, checkInteger } from './check';
import { lastErrno, libc } from './libc';
import { SysError } from './sys-error';

const POLLIN = 0x1;
// errno from <asm-generic/errno-base.h>, the same on x86_64 and aarch64.
const EINTR = 4;

/**
 * Waits until `fd` has something to read, at most `timeoutMs`; returns false when the time ran out. A signal
 * handled meanwhile (EINTR) does not end the wait early: it goes on for what is left of it.
 */
export function waitReadable(fd: number, timeoutMs: number): boolean {
  checkFd('poll', 'fd', fd);
  checkInteger('poll', 'timeoutMs', timeoutMs, 0, 0x7fff_ffff);
  const deadline = Date.now() + timeoutMs;
  // struct pollfd {int fd; short events; short revents}, in the machine's byte order.
  const pollfd = new Uint8Array(8);
  const view = new DataView(pollfd.buffer);
  const littleEndian = endianness() === 'LE';
  view.setInt32(0, fd, littleEndian);
  view.setInt16(4, POLLIN, littleEndian);
  for (;;) {
    const ready = libc().poll(pollfd, 1, Math.max(0, deadline - Date.now()));
    if (ready > 0) return true;
    if (ready === -1) {
      const errno = lastErrno();
      if (errno !== EINTR) throw new SysError({ syscall: 'poll', errno, args: { fd, timeoutMs } });
    }
    // poll's clock may end a little before ours: wait out the rest.
    if (Date.now() >= deadline) return false;
  }
}
