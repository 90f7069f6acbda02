// A DHCPv4 client for one interface: DISCOVER, OFFER, REQUEST, ACK (RFC 2131 3.1), retransmitted with exponential
// backoff, all within one deadline. The socket comes in as a function, so tests hand it a fake server.
import { setTimeout as delay } from 'node:timers/promises';
import type { UdpSocket } from '../../sys/index';
import { clientMessage, DhcpOption, isReplyTo, leaseOf, messageType, type ClientMessage, type DhcpLease } from './lease';
import { timerDelay } from './lease-timers';
import { decodeDhcp, DhcpFormatError, encodeDhcp as encode, type DhcpMessage } from './message';
import { nowMs } from '../../clock';

const CLIENT_PORT = 68;
const SERVER_PORT = 67;
// RFC 2131 4.1 starts at 4 s and doubles to 64 s; a boot waits seconds, not minutes, so this starts at 1 s.
const FIRST_RETRANSMIT_MS = 1000;
const MAX_RETRANSMIT_MS = 16_000;
// How long one poll may hold the event loop: PID 1 reaps and takes signals between slices.
const SLICE_MS = 100;
// In the background (PID 1 runs services meanwhile) the socket is never waited on in poll(2): it is read this often.
const BACKGROUND_POLL_MS = 50;
// Extending a lease: how long replies are listened for after each REQUEST (a server answers in milliseconds).
const REPLY_WINDOW_MS = 5000;

export interface DhcpClientSpec {
  /** The interface, for the socket and for messages. */
  device: string;
  mac: Uint8Array;
  timeoutMs: number;
  hostname?: string;
  open: (spec: { device: string; port: number }) => UdpSocket;
  now?: () => number;
  /** The transaction id; random unless a test fixes it. */
  xid?: number;
  /** Called with each message sent and each reply taken, for the log. */
  trace?: (line: string) => void;
  /** Runs beside services (renewal after a lost lease): reads the socket without blocking, and stops when aborted. */
  background?: AbortSignal;
}

/** No lease within the deadline: names the interface and what was sent and heard. */
export class DhcpTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DhcpTimeoutError';
  }
}

/** Asks for a lease and returns the one the server acknowledged; rejects with DhcpTimeoutError at the deadline. */
export async function requestLease(spec: DhcpClientSpec): Promise<DhcpLease> {
  const now = spec.now ?? nowMs;
  const started = now();
  const deadline = started + spec.timeoutMs;
  const xid = spec.xid ?? Math.floor(Math.random() * 0x1_0000_0000);
  const socket = spec.open({ device: spec.device, port: CLIENT_PORT });
  const sent = { discover: 0, request: 0 };
  let offers = 0;
  let naks = 0;
  try {
    for (;;) {
      const offer = await exchange({ type: 'discover' }, ['offer']);
      if (offer === undefined) break;
      offers += 1;
      const offered = leaseOf(offer);
      const answer = await exchange({ type: 'request', address: offer.yiaddr, serverId: offered.serverId }, ['ack', 'nak']);
      if (answer === undefined) break;
      if (messageType(answer) === 'ack') return leaseOf(answer);
      // RFC 2131 3.1 step 5: a NAK sends the client back to DISCOVER.
      naks += 1;
      spec.trace?.(`DHCPNAK from ${offered.serverId} for ${offer.yiaddr}: starting over`);
    }
  } finally {
    socket.close();
  }
  const heard = offers === 0 ? 'no offer came' : `${offers} offer${offers === 1 ? '' : 's'} but no acknowledgement${naks ? ` (${naks} refused)` : ''}`;
  throw new DhcpTimeoutError(`${spec.device}: no DHCP lease within ${spec.timeoutMs}ms (waitOnline): ${sent.discover} DHCPDISCOVER and ${sent.request} DHCPREQUEST sent, ${heard}; is a DHCP server on this network?`);

  // Sends `message` and waits for a reply of `types`, sending again after 1, 2, 4, … s; undefined at the deadline.
  async function exchange(message: ClientMessage, types: ('offer' | 'ack' | 'nak')[]): Promise<DhcpMessage | undefined> {
    let wait = FIRST_RETRANSMIT_MS;
    while (now() < deadline && spec.background?.aborted !== true) {
      const bytes = clientMessage({ ...message, xid, mac: spec.mac, secs: Math.floor((now() - started) / 1000), ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }) });
      socket.send(encode(bytes), '255.255.255.255', SERVER_PORT);
      sent[message.type] += 1;
      spec.trace?.(`DHCP${message.type.toUpperCase()} on ${spec.device} (xid 0x${xid.toString(16)})`);
      const resend = Math.min(now() + wait, deadline);
      const reply = await listen(socket, { until: resend, now, background: spec.background }, (message) => isReplyTo(message, xid, spec.mac, ...types));
      if (reply !== undefined) return reply;
      wait = Math.min(wait * 2, MAX_RETRANSMIT_MS);
    }
    return undefined;
  }
}

/** How extending a lease ended: the server's ACK (a lease), its NAK, or silence until the state's end. */
export type ExtendResult = { answer: 'ack'; lease: DhcpLease } | { answer: 'nak'; serverId: string } | { answer: 'none' };

/** What extending a lease needs: the address held, and whom to ask until when. */
export interface ExtendSpec {
  device: string;
  mac: Uint8Array;
  /** The address held, without its prefix length. */
  address: string;
  /** RENEWING asks the server that gave the lease (unicast); REBINDING asks any (broadcast). */
  to: { server: string } | 'broadcast';
  /** When this state ends (T2 for renewing, the expiry for rebinding), on the `now` clock. */
  untilMs: number;
  hostname?: string;
  open: (spec: { device: string; port: number }) => UdpSocket;
  now?: () => number;
  xid?: number;
  trace?: (line: string) => void;
  /** Aborted at shutdown: the wait ends at once. */
  stop: AbortSignal;
  /** How long to wait before a REQUEST is sent again, given the time and the state's end (RFC 2131 4.4.5). */
  retransmitAt: (nowMs: number, untilMs: number) => number;
}

/** RENEWING or REBINDING (RFC 2131 4.4.5): REQUESTs with `ciaddr` until an ACK or NAK comes or the state ends. Never blocks the event loop. */
export async function extendLease(spec: ExtendSpec): Promise<ExtendResult> {
  const now = spec.now ?? nowMs;
  const started = now();
  const xid = spec.xid ?? Math.floor(Math.random() * 0x1_0000_0000);
  const socket = spec.open({ device: spec.device, port: CLIENT_PORT });
  const destination = spec.to === 'broadcast' ? '255.255.255.255' : spec.to.server;
  try {
    while (now() < spec.untilMs && !spec.stop.aborted) {
      const message = clientMessage({ type: 'request', ciaddr: spec.address, xid, mac: spec.mac, secs: Math.floor((now() - started) / 1000), ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }) });
      socket.send(encode(message), destination, SERVER_PORT);
      spec.trace?.(`DHCPREQUEST for ${spec.address} on ${spec.device} to ${destination} (${spec.to === 'broadcast' ? 'rebinding' : 'renewing'}, xid 0x${xid.toString(16)})`);
      const resend = spec.retransmitAt(now(), spec.untilMs);
      const reply = await listen(socket, { until: Math.min(resend, now() + REPLY_WINDOW_MS), now, background: spec.stop }, (candidate) => isReplyTo(candidate, xid, spec.mac, 'ack', 'nak'));
      if (reply !== undefined) {
        if (messageType(reply) === 'nak') return { answer: 'nak', serverId: serverOf(reply) };
        return { answer: 'ack', lease: leaseOf(reply) };
      }
      await sleepUntil(resend, now, spec.stop);
    }
    return { answer: 'none' };
  } finally {
    socket.close();
  }
}

/** Waits until `untilMs` on the `now` clock, in timers setTimeout can hold; returns early when `stop` is aborted. */
export async function sleepUntil(untilMs: number, now: () => number, stop: AbortSignal): Promise<void> {
  while (!stop.aborted && now() < untilMs) {
    try {
      await delay(timerDelay(now(), untilMs), undefined, { signal: stop });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      throw error;
    }
  }
}

// Takes datagrams until one `wanted` comes or `until` passes. In the foreground poll(2) waits in slices of 100 ms
// (the boot has nothing else to do, and a reply is taken the moment it comes); in the background the socket is
// read without waiting and a timer runs between reads, so PID 1 never blocks.
async function listen(socket: UdpSocket, spec: { until: number; now: () => number; background: AbortSignal | undefined }, wanted: (message: DhcpMessage) => boolean): Promise<DhcpMessage | undefined> {
  const { now, background } = spec;
  while (now() < spec.until && background?.aborted !== true) {
    const datagram = socket.receive(background ? 0 : Math.max(0, Math.min(SLICE_MS, spec.until - now())));
    const reply = datagram === undefined ? undefined : readReply(datagram);
    if (reply !== undefined && wanted(reply)) return reply;
    if (datagram !== undefined) continue;
    // Let PID 1's event loop run between slices.
    if (background) await sleepUntil(Math.min(spec.until, now() + BACKGROUND_POLL_MS), now, background);
    else await delay(0);
  }
  return undefined;
}

function serverOf(message: DhcpMessage): string {
  const id = message.options.get(DhcpOption.serverId);
  return id?.length === 4 ? id.join('.') : 'an unnamed server';
}

// Anything on port 68 that is not a DHCP message (another client's request on a shared segment, noise) is skipped.
function readReply(datagram: Uint8Array): DhcpMessage | undefined {
  try {
    return decodeDhcp(datagram);
  } catch (error) {
    if (error instanceof DhcpFormatError) return undefined;
    throw error;
  }
}
