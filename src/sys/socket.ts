// Unix socket peers: who is on the other end of a connection, as the kernel recorded it at connect(2).
import type { Socket } from 'node:net';
import { checkFd } from './check';
import { lastErrno, libc } from './libc';
import { SysError } from './sys-error';

// From <asm-generic/socket.h>, the same on x86_64 and aarch64.
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
// struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields.
const UCRED_SIZE = 12;

/** The process that connected, its user and group: set by the kernel, so a client cannot forge them. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/** getsockopt(fd, SOL_SOCKET, SO_PEERCRED): the credentials of the peer of a connected unix socket. */
export function peerCredentials(fd: number): PeerCredentials {
  checkFd('getsockopt', 'fd', fd);
  const value = new Uint8Array(UCRED_SIZE);
  const length = new Int32Array([UCRED_SIZE]);
  if (libc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, value, length) === -1) {
    throw new SysError({ syscall: 'getsockopt', errno: lastErrno(), args: { fd, level: 'SOL_SOCKET', optname: 'SO_PEERCRED' } });
  }
  // Typed arrays read in the machine's own byte order, as the kernel wrote the struct.
  const [pid = 0] = new Int32Array(value.buffer, 0, 1);
  const [uid = 0, gid = 0] = new Uint32Array(value.buffer, 4, 2);
  return { pid, uid, gid };
}

/**
 * The descriptor under a connected net.Socket, or undefined when it has none (closed, or not a
 * unix/TCP socket). Node has no public API for it nor for SO_PEERCRED; on Linux its stream handles
 * (Pipe, TCP) carry the descriptor as `_handle.fd`, an internal that has been stable for years.
 */
export function socketFd(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}
