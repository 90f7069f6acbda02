// The one error type of the kernel boundary: which call failed, with what arguments, and errno.
import { constants } from 'node:os';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name]),
);

/** The errno value of a name Node gives as an error's `code` (`ECONNREFUSED`), or undefined when it is none. */
export function errnoNumber(name: string): number | undefined {
  return (constants.errno as Record<string, number | undefined>)[name];
}

/** Name of an errno value (`ENOENT`), or `E<number>` when the platform does not know it. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

export interface SysErrorSpec {
  syscall: string;
  errno: number;
  args: Record<string, unknown>;
  /** Extra words a user needs to act on the failure ("is the virtiofs module loaded?"). */
  hint?: string;
}

/** A failed system call: `mount(source="rootfs", target="/sysroot", fstype="virtiofs", flags=0x1): ENOENT (No such file or directory)`. */
export class SysError extends Error {
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  readonly args: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(spec: SysErrorSpec) {
    const code = errnoName(spec.errno);
    const args = Object.entries(spec.args)
      .map(([key, value]) => `${key}=${formatArg(key, value)}`)
      .join(', ');
    super(`${spec.syscall}(${args}): ${code} (${describeErrno(spec.errno)})${spec.hint ? `; ${spec.hint}` : ''}`);
    this.name = 'SysError';
    this.syscall = spec.syscall;
    this.errno = spec.errno;
    this.code = code;
    this.args = spec.args;
    this.hint = spec.hint;
  }
}

// Bit masks read best in hex, counts and descriptors in decimal (`fd=999`, not `fd=0x3e7`).
function formatArg(key: string, value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const isMask = /flags$|^value$|^request$|^attr/i.test(key);
  if (isMask && typeof value === 'number' && Number.isInteger(value) && value > 9) return `0x${value.toString(16)}`;
  return String(value);
}

const descriptions: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long',
  ENOEXEC: 'Exec format error',
  EBADF: 'Bad file descriptor',
  ECHILD: 'No child processes',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  ENOTBLK: 'Block device required',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ENOTTY: 'Inappropriate ioctl for device',
  ETXTBSY: 'Text file busy',
  EPIPE: 'Broken pipe',
  ENOTSOCK: 'Socket operation on non-socket',
  ECONNREFUSED: 'Connection refused',
  EPROTOTYPE: 'Protocol wrong type for socket',
  EADDRINUSE: 'Address already in use',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ENAMETOOLONG: 'File name too long',
  ENOSYS: 'Function not implemented',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
  ENOKEY: 'Required key not available',
  EKEYREJECTED: 'Key was rejected by service',
  ETIMEDOUT: 'Connection timed out',
  ERANGE: 'Numerical result out of range',
  ENOBUFS: 'No buffer space available',
  ENOPROTOOPT: 'Protocol not available',
  EOPNOTSUPP: 'Operation not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ENOTSUP: 'Operation not supported',
};

/** The C library's wording of an errno, for messages. */
export function describeErrno(errno: number): string {
  return descriptions[errnoName(errno)] ?? `errno ${errno}`;
}
