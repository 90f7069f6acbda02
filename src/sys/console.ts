// Puts the console on fds 0-2 the way an exec'd program or a shell needs them: blocking, inherited, and optionally the controlling tty.
import { checkPath } from './check';
import { close, dup2, O_NOCTTY, O_RDWR, open, setCloseOnExec, setNonBlocking } from './fd';
import { check, libc } from './libc';
import { getsid, setsid } from './process';

// ioctl request from <asm-generic/ioctls.h> (same on x86_64 and aarch64).
export const TIOCSCTTY = 0x540e;

/** How takeConsole sets the console up. */
export interface ConsoleOptions {
  /** Make the device this process's controlling terminal (needed for job control and ^C). */
  controllingTerminal: boolean;
}

/**
 * Opens the console device and puts it on fds 0, 1 and 2.
 * libuv re-opens TTY stdio and leaves fds 1 and 2 close-on-exec and maybe O_NONBLOCK; a program
 * exec'd after that would start with no stdout/stderr. The fresh descriptors here are blocking and
 * survive exec. With `controllingTerminal`, this process first becomes a session leader (PID 1 starts
 * in session 0) and takes the terminal, stealing it from another session if needed (root only).
 */
export function takeConsole(devicePath: string, options: ConsoleOptions): void {
  checkPath('takeConsole', 'devicePath', devicePath);
  if (options.controllingTerminal && getsid(0) !== process.pid) setsid();
  const fd = open({ path: devicePath, flags: O_RDWR | (options.controllingTerminal ? 0 : O_NOCTTY) });
  try {
    if (options.controllingTerminal) {
      check(libc().ioctl(fd, TIOCSCTTY, 'int', 1), 'ioctl', { fd, path: devicePath, request: 'TIOCSCTTY', steal: 1 });
    }
    setNonBlocking(fd, false);
    for (const stdio of [0, 1, 2]) {
      if (fd !== stdio) dup2(fd, stdio);
      setCloseOnExec(stdio, false);
    }
  } finally {
    if (fd > 2) close(fd);
  }
}

export const TIOCNOTTY = 0x5422;

/**
 * Gives up this session's controlling terminal (held on fd 0), so a shell started in a new session can
 * take it: a terminal belongs to one session at a time and opening it does not steal it.
 */
export function releaseControllingTerminal(): void {
  check(libc().ioctl(0, TIOCNOTTY), 'ioctl', { fd: 0, request: 'TIOCNOTTY' });
}
