// A DHCPv4 client for one interface: DISCOVER, OFFER, REQUEST, ACK (RFC 2131 3.1), retransmitted with exponential
// backoff, all within one deadline. The socket comes in as a function, so tests hand it a fake server.
import { setTimeout as delay } from 'node:timers/promises';
import type { UdpSocket } from '../../sys/index';
import { clientMessage, isReplyTo, leaseOf, messageType, type ClientMessage, type DhcpLease } from './lease';
import { decodeDhcp, DhcpFormatError, encodeDhcp as encode, type DhcpMessage } from './message';

const CLIENT_PORT = 68;
const SERVER_PORT = 67;
// RFC 2131 4.1 starts at 4 s and doubles to 64 s; a boot waits seconds, not minutes, so this starts at 1 s.
const FIRST_RETRANSMIT_MS = 1000;
const MAX_RETRANSMIT_MS = 16_000;
// How long one poll may hold the event loop: PID 1 reaps and takes signals between slices.
const SLICE_MS = 100;

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
  const now = spec.now ?? (() => performance.now());
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
    while (now() < deadline) {
      const bytes = clientMessage({ ...message, xid, mac: spec.mac, secs: Math.floor((now() - started) / 1000), ...(spec.hostname === undefined ? {} : { hostname: spec.hostname }) });
      socket.send(encode(bytes), '255.255.255.255', SERVER_PORT);
      sent[message.type] += 1;
      spec.trace?.(`DHCP${message.type.toUpperCase()} on ${spec.device} (xid 0x${xid.toString(16)})`);
      const resend = Math.min(now() + wait, deadline);
      while (now() < resend) {
        const datagram = socket.receive(Math.max(0, Math.min(SLICE_MS, resend - now())));
        const reply = datagram === undefined ? undefined : readReply(datagram);
        if (reply !== undefined && isReplyTo(reply, xid, spec.mac, ...types)) return reply;
        // Let PID 1's event loop run between slices.
        await delay(0);
      }
      wait = Math.min(wait * 2, MAX_RETRANSMIT_MS);
    }
    return undefined;
  }
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
