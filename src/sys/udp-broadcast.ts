// A UDP socket on one interface that may broadcast: what a DHCP client needs before its interface has an address.
import { endianness } from 'node:os';
import { checkInteger, checkPath } from './check';
import { checkInterfaceName } from './netlink/link-spec';
import { parseIp } from './netlink/ip-address';
import { check, lastErrno, libc } from './libc';
import { close } from './fd';
import { waitReadable } from './poll';
import { SysError } from './sys-error';

// From <linux/socket.h>, <asm-generic/socket.h> and <bits/socket_type.h>, the same on x86_64 and aarch64.
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const SO_BROADCAST = 6;
const SO_BINDTODEVICE = 25;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EINTR = 4;

/** A bound UDP socket; every receive is bounded by a timeout. */
export interface UdpSocket {
  readonly fd: number;
  /** Sends one datagram to `address`:`port` (255.255.255.255 broadcasts on the socket's interface). */
  send(bytes: Uint8Array, address: string, port: number): void;
  /** The next datagram, or undefined when none came within `timeoutMs`. */
  receive(timeoutMs: number): Uint8Array | undefined;
  close(): void;
}

/**
 * socket(AF_INET, SOCK_DGRAM) with SO_BINDTODEVICE `device` and SO_BROADCAST, bound to 0.0.0.0:`port`: it sends and
 * receives on that interface only, whatever addresses and routes it has (none, before DHCP).
 */
export function openUdpOnDevice(spec: { device: string; port: number }): UdpSocket {
  checkInterfaceName('openUdpOnDevice', 'device', spec.device);
  checkInteger('openUdpOnDevice', 'port', spec.port, 1, 0xffff);
  const fd = check(libc().socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), 'socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
  try {
    const option = (name: string, optname: number, value: Uint8Array | Int32Array, length: number): void => {
      check(libc().setsockopt(fd, SOL_SOCKET, optname, value, length), 'setsockopt', { fd, level: 'SOL_SOCKET', optname: name, device: spec.device });
    };
    // Another DHCP client of another interface may hold port 68 too: each is bound to its own device.
    option('SO_REUSEADDR', SO_REUSEADDR, Int32Array.of(1), 4);
    option('SO_BROADCAST', SO_BROADCAST, Int32Array.of(1), 4);
    const name = new TextEncoder().encode(`${spec.device}\0`);
    option('SO_BINDTODEVICE', SO_BINDTODEVICE, name, name.length);
    check(libc().bind(fd, sockaddrIn('0.0.0.0', spec.port), 16), 'bind', { fd, address: '0.0.0.0', port: spec.port, device: spec.device });
  } catch (error) {
    close(fd);
    throw error;
  }
  return {
    fd,
    send(bytes, address, port) {
      checkInteger('sendto', 'port', port, 1, 0xffff);
      const sent = libc().sendto(fd, bytes, bytes.length, 0, sockaddrIn(address, port), 16);
      if (sent === -1) throw new SysError({ syscall: 'sendto', errno: lastErrno(), args: { fd, address, port, device: spec.device } });
    },
    receive(timeoutMs) {
      const buffer = new Uint8Array(65536);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const length = libc().recv(fd, buffer, buffer.length, MSG_DONTWAIT);
        if (length >= 0) return buffer.slice(0, length);
        const errno = lastErrno();
        if (errno !== EAGAIN && errno !== EINTR) throw new SysError({ syscall: 'recv', errno, args: { fd, device: spec.device } });
        // poll(2) takes whole milliseconds; a caller's clock may hand us fractions.
        const left = Math.ceil(deadline - Date.now());
        if (left <= 0 || !waitReadable(fd, left)) return undefined;
      }
    },
    close() {
      close(fd);
    },
  };
}

// struct sockaddr_in {sa_family_t (host order); in_port_t (network order); struct in_addr (network order); zero[8]}.
function sockaddrIn(address: string, port: number): Uint8Array {
  checkPath('sockaddr_in', 'address', address);
  const ip = parseIp(address);
  if (ip?.family !== 4) throw new TypeError(`sockaddr_in: ${JSON.stringify(address)} is not an IPv4 address`);
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint16(0, AF_INET, endianness() === 'LE');
  new DataView(bytes.buffer).setUint16(2, port, false);
  bytes.set(ip.bytes, 4);
  return bytes;
}
