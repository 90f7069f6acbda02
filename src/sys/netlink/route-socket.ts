// A NETLINK_ROUTE socket and its requests: every request asks for an ack (NLM_F_ACK) and every wait for the
// kernel's answer is bounded (poll(2) with a deadline), so PID 1 never blocks on it for long. A refusal is a
// SysError naming the request, the kernel's errno and its extended ack message.
import { checkInteger } from '../check';
import { close } from '../fd';
import { check, lastErrno, libc } from '../libc';
import { waitReadable } from '../poll';
import { SysError } from '../sys-error';
import { AF_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_ROUTE, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, SOL_NETLINK } from './constants';
import { decodeMessages, decodeStatus, type NetlinkMessage, type NetlinkStatus } from './decode';
import { encodeMessage, LITTLE_ENDIAN } from './encode';

/** How long a request waits for the kernel's answer. rtnetlink answers at once; this bounds a kernel gone wrong. */
export const NETLINK_TIMEOUT_MS = 5000;
/** A dump the kernel reports as interrupted by a change (NLM_F_DUMP_INTR) is asked for again, this often at most. */
export const DUMP_ATTEMPTS = 3;

// The kernel fills a dump's datagrams up to 32 KiB (netlink_dump); a larger buffer never truncates one.
const RECEIVE_BUFFER = 64 * 1024;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
// errno values from <asm-generic/errno*.h>, the same on x86_64 and aarch64.
const EINTR = 4;
const EAGAIN = 11;
const ENOPROTOOPT = 92;
const ETIMEDOUT = 110;

/** One request: what it is called in errors, its message, and words that help with a refusal. */
export interface NetlinkRequest {
  /** The message type's name, e.g. "RTM_NEWLINK": the SysError's `syscall`. */
  name: string;
  type: number;
  /** NLM_F_CREATE, NLM_F_EXCL…; NLM_F_REQUEST and NLM_F_ACK (or NLM_F_DUMP) are added. */
  flags?: number;
  /** The family header, then the attributes. */
  body: readonly Uint8Array[];
  /** What the request is about, as the SysError shows it (name="br0", kind="bridge"). */
  args: Record<string, unknown>;
  /** A sentence for the user when the kernel refuses with `errno`, or undefined. */
  hint?: (errno: number) => string | undefined;
}

/** A bound NETLINK_ROUTE socket, non-blocking and close-on-exec. */
export class RouteSocket {
  private seq: number;

  private constructor(private readonly fd: number, private readonly timeoutMs: number) {
    this.seq = Math.floor(Math.random() * 0x7fff_0000) + 1;
  }

  static open(timeoutMs = NETLINK_TIMEOUT_MS): RouteSocket {
    checkInteger('netlink', 'timeoutMs', timeoutMs, 1, 600_000);
    const fd = check(libc().socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE), 'socket', { domain: 'AF_NETLINK', type: 'SOCK_RAW', protocol: 'NETLINK_ROUTE' });
    try {
      // The kernel's words on a refusal, and errors without a copy of our request: both since Linux 4.3/4.12; an
      // older kernel (ENOPROTOOPT) still answers with the errno alone.
      for (const [option, name] of [[NETLINK_EXT_ACK, 'NETLINK_EXT_ACK'], [NETLINK_CAP_ACK, 'NETLINK_CAP_ACK']] as const) {
        if (libc().setsockopt(fd, SOL_NETLINK, option, Int32Array.of(1), 4) === -1) {
          const errno = lastErrno();
          if (errno !== ENOPROTOOPT) throw new SysError({ syscall: 'setsockopt', errno, args: { fd, level: 'SOL_NETLINK', optname: name } });
        }
      }
      // struct sockaddr_nl {u16 family; u16 pad; u32 pid; u32 groups}: port id 0 lets the kernel choose one.
      check(libc().bind(fd, sockaddrNl(), 12), 'bind', { fd, family: 'AF_NETLINK' });
      return new RouteSocket(fd, timeoutMs);
    } catch (error) {
      close(fd);
      throw error;
    }
  }

  close(): void {
    close(this.fd);
  }

  /** Sends `request` with NLM_F_ACK and returns the messages the kernel answered before its ack. */
  request(request: NetlinkRequest): NetlinkMessage[] {
    return this.exchange(request, NLM_F_REQUEST | NLM_F_ACK | (request.flags ?? 0), false).messages;
  }

  /** Sends `request` as a dump and returns every message of it (asked again if a change interrupted it). */
  dump(request: NetlinkRequest): NetlinkMessage[] {
    for (let attempt = 1; ; attempt += 1) {
      const answer = this.exchange(request, NLM_F_REQUEST | NLM_F_DUMP | (request.flags ?? 0), true);
      if (!answer.interrupted) return answer.messages;
      if (attempt === DUMP_ATTEMPTS) throw new Error(`netlink ${request.name}: the dump was interrupted by changes ${DUMP_ATTEMPTS} times in a row`);
    }
  }

  private exchange(request: NetlinkRequest, flags: number, dump: boolean): { messages: NetlinkMessage[]; interrupted: boolean } {
    this.seq = (this.seq + 1) >>> 0;
    const seq = this.seq;
    const bytes = encodeMessage({ type: request.type, flags, seq, body: request.body });
    const sent = libc().sendto(this.fd, bytes, bytes.length, 0, sockaddrNl(), 12);
    if (sent === -1) throw refusal(request, { errno: lastErrno(), kernelMessage: undefined, offset: undefined }, 'sendto');
    const messages: NetlinkMessage[] = [];
    let interrupted = false;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      for (const message of this.receive(request, deadline)) {
        // Answers to an earlier request that timed out are not ours.
        if (message.seq !== seq || message.type === NLMSG_NOOP) continue;
        if ((message.flags & NLM_F_DUMP_INTR) !== 0) interrupted = true;
        if (message.type === NLMSG_ERROR) {
          const status = decodeStatus(message);
          if (status.errno !== 0) throw refusal(request, status, request.name);
          return { messages, interrupted };
        }
        if (message.type === NLMSG_DONE && dump) {
          const status = decodeStatus(message, true);
          if (status.errno !== 0) throw refusal(request, status, request.name);
          return { messages, interrupted };
        }
        if (message.type === NLMSG_OVERRUN) throw new Error(`netlink ${request.name}: the kernel lost part of its answer (NLMSG_OVERRUN)`);
        messages.push(message);
      }
    }
  }

  /** The messages of the next datagram, waiting for one until `deadline` at most. */
  private receive(request: NetlinkRequest, deadline: number): NetlinkMessage[] {
    const buffer = new Uint8Array(RECEIVE_BUFFER);
    for (;;) {
      const length = libc().recv(this.fd, buffer, buffer.length, MSG_DONTWAIT | MSG_TRUNC);
      if (length > buffer.length) throw new Error(`netlink ${request.name}: a ${length}-byte answer did not fit ${buffer.length} bytes`);
      if (length >= 0) return decodeMessages(buffer.subarray(0, length));
      const errno = lastErrno();
      if (errno === EINTR) continue;
      if (errno !== EAGAIN) throw new SysError({ syscall: 'recv', errno, args: { fd: this.fd, request: request.name } });
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !waitReadable(this.fd, remaining)) {
        throw new SysError({ syscall: request.name, errno: ETIMEDOUT, args: request.args, hint: `the kernel did not answer within ${this.timeoutMs} ms` });
      }
    }
  }
}

/** Runs `use` with a fresh socket, closed afterwards. */
export function withRouteSocket<T>(use: (socket: RouteSocket) => T): T {
  const socket = RouteSocket.open();
  try {
    return use(socket);
  } finally {
    socket.close();
  }
}

function sockaddrNl(): Uint8Array {
  const address = new Uint8Array(12);
  new DataView(address.buffer).setUint16(0, AF_NETLINK, LITTLE_ENDIAN);
  return address;
}

/** The SysError of a refused request: its name and arguments, errno, the kernel's message and the request's hint. */
function refusal(request: NetlinkRequest, status: NetlinkStatus, syscall: string): SysError {
  const words = [status.kernelMessage === undefined ? undefined : `the kernel says "${status.kernelMessage}"`, request.hint?.(status.errno)].filter((word) => word !== undefined);
  return new SysError({ syscall, errno: status.errno, args: request.args, ...(words.length > 0 ? { hint: words.join('; ') } : {}) });
}
