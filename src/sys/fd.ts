// File descriptors: open without Node's forced O_CLOEXEC, dup2, close_range, and the fcntl flags an exec inherits.
import { constants } from 'node:fs';
import { syscallNumbers } from './arch';
import { checkFd, checkInteger, checkPath } from './check';
import { check, libc } from './libc';

// Open flags; Node's fs.constants carries the platform's values, O_CLOEXEC is the same on x86_64 and aarch64.
export const O_RDONLY = constants.O_RDONLY;
export const O_WRONLY = constants.O_WRONLY;
export const O_RDWR = constants.O_RDWR;
export const O_CREAT = constants.O_CREAT;
export const O_EXCL = constants.O_EXCL;
export const O_NOCTTY = constants.O_NOCTTY;
export const O_TRUNC = constants.O_TRUNC;
export const O_APPEND = constants.O_APPEND;
export const O_NONBLOCK = constants.O_NONBLOCK;
export const O_DIRECTORY = constants.O_DIRECTORY;
export const O_CLOEXEC = 0o2000000;

// fcntl commands and flags from <fcntl.h>.
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

// close_range flags from <linux/close_range.h>.
export const CLOSE_RANGE_UNSHARE = 0x2;
export const CLOSE_RANGE_CLOEXEC = 0x4;

/** Largest descriptor number close_range accepts: "up to the last one". */
export const MAX_FD = 0xffff_ffff;

/** What open(2) takes. */
export interface OpenSpec {
  path: string;
  flags: number;
  /** Permission bits for O_CREAT. */
  mode?: number;
}

/**
 * Opens a file and returns the descriptor. Unlike fs.openSync it adds no O_CLOEXEC, and it
 * honours O_NOCTTY (its absence lets a session leader acquire a terminal as controlling tty).
 */
export function open(spec: OpenSpec): number {
  const path = checkPath('open', 'path', spec.path);
  const flags = checkInteger('open', 'flags', spec.flags, 0, 0x7fff_ffff);
  const mode = checkInteger('open', 'mode', spec.mode ?? 0o644, 0, 0o7777);
  return check(libc().open(path, flags, 'uint32_t', mode), 'open', { path, flags, mode: mode.toString(8) });
}

/** Closes a descriptor. */
export function close(fd: number): void {
  checkFd('close', 'fd', fd);
  check(libc().close(fd), 'close', { fd });
}

/** Makes `newFd` a copy of `oldFd`; the copy never has FD_CLOEXEC (unless both are the same number). */
export function dup2(oldFd: number, newFd: number): void {
  checkFd('dup2', 'oldFd', oldFd);
  checkFd('dup2', 'newFd', newFd);
  check(libc().dup2(oldFd, newFd), 'dup2', { oldFd, newFd });
}

/**
 * Closes (or with CLOSE_RANGE_CLOEXEC marks close-on-exec) every descriptor from `first` to `last`.
 * Before an execve use CLOSE_RANGE_CLOEXEC: closing for real pulls the epoll descriptors from under
 * any other thread running an event loop (a worker, tsx's loader), which then aborts the process.
 */
export function closeRange(first: number, last = MAX_FD, flags = 0): void {
  checkInteger('close_range', 'first', first);
  checkInteger('close_range', 'last', last);
  checkInteger('close_range', 'flags', flags, 0, CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC);
  const result = libc().syscall(syscallNumbers().closeRange, 'unsigned int', first, 'unsigned int', last, 'unsigned int', flags);
  check(result, 'close_range', { first, last, flags });
}

/** Whether `fd` is closed on exec. */
export function isCloseOnExec(fd: number): boolean {
  checkFd('fcntl', 'fd', fd);
  const flags = check(libc().fcntl(fd, F_GETFD), 'fcntl', { fd, cmd: 'F_GETFD' });
  return (flags & FD_CLOEXEC) !== 0;
}

/** Sets or clears FD_CLOEXEC on `fd`. */
export function setCloseOnExec(fd: number, on: boolean): void {
  const flags = check(libc().fcntl(checkFd('fcntl', 'fd', fd), F_GETFD), 'fcntl', { fd, cmd: 'F_GETFD' });
  const wanted = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
  check(libc().fcntl(fd, F_SETFD, 'int', wanted), 'fcntl', { fd, cmd: 'F_SETFD', flags: wanted });
}

/** The file status flags of `fd` (O_APPEND, O_NONBLOCK, access mode…), shared by every copy of the descriptor. */
export function statusFlags(fd: number): number {
  return check(libc().fcntl(checkFd('fcntl', 'fd', fd), F_GETFL), 'fcntl', { fd, cmd: 'F_GETFL' });
}

/** Sets or clears O_NONBLOCK on the open file description behind `fd`. */
export function setNonBlocking(fd: number, on: boolean): void {
  const flags = statusFlags(fd);
  const wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  check(libc().fcntl(fd, F_SETFL, 'int', wanted), 'fcntl', { fd, cmd: 'F_SETFL', flags: wanted });
}

/**
 * Makes fds 0-2 survive exec in blocking mode: libuv may have left them close-on-exec and O_NONBLOCK, and
 * a program exec'd after that starts without its standard streams. A closed one is left closed.
 */
export function keepStdioAcrossExec(): void {
  for (const fd of [0, 1, 2]) {
    if (libc().fcntl(fd, F_GETFD) < 0) continue;
    setCloseOnExec(fd, false);
    setNonBlocking(fd, false);
  }
}
