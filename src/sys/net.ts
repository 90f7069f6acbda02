// The one piece of networking an init owes every system: the loopback interface up.
import { close } from './fd';
import { check, libc } from './libc';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;
/** struct ifreq: a 16-byte name, then a union whose first member here is `short ifr_flags`. */
const IFREQ_SIZE = 40;

/** Sets `lo` up (SIOCSIFFLAGS); returns false when it already was. Services on 127.0.0.1 need it. */
export function bringLoopbackUp(name = 'lo'): boolean {
  const fd = check(libc().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 'socket', { domain: 'AF_INET', type: 'SOCK_DGRAM' });
  try {
    const request = new Uint8Array(IFREQ_SIZE);
    request.set(new TextEncoder().encode(name).subarray(0, 15));
    check(libc().ioctl(fd, SIOCGIFFLAGS, 'uint8_t *', request), 'ioctl', { fd, request: 'SIOCGIFFLAGS', interface: name });
    const flags = request[16]! | (request[17]! << 8);
    if (flags & IFF_UP) return false;
    const raised = flags | IFF_UP;
    request[16] = raised & 0xff;
    request[17] = (raised >> 8) & 0xff;
    check(libc().ioctl(fd, SIOCSIFFLAGS, 'uint8_t *', request), 'ioctl', { fd, request: 'SIOCSIFFLAGS', interface: name });
    return true;
  } finally {
    close(fd);
  }
}
