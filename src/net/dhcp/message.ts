// DHCPv4 messages (RFC 2131's BOOTP layout, RFC 2132's options) as bytes and back. Pure.
import { formatIp, parseIp } from '../../sys/netlink/ip-address';

/** Option 53's values (RFC 2132 9.6). */
export const DhcpType = { discover: 1, offer: 2, request: 3, decline: 4, ack: 5, nak: 6, release: 7, inform: 8 } as const;
export type DhcpTypeName = keyof typeof DhcpType;

/** BOOTREQUEST from a client, BOOTREPLY from a server. */
export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;

/** A DHCP message: the fixed fields and the options by code (user data, so a Map). */
export interface DhcpMessage {
  op: typeof BOOTREQUEST | typeof BOOTREPLY;
  xid: number;
  secs: number;
  /** The broadcast flag: the server answers to 255.255.255.255, which a client without an address can receive. */
  broadcast: boolean;
  /** The client's address when it has one (renewing); 0.0.0.0 otherwise. */
  ciaddr: string;
  /** "Your" address: the one a server offers or acknowledges. */
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The client's MAC address. */
  chaddr: Uint8Array;
  options: Map<number, Uint8Array>;
}

/** Bytes that are not a DHCP message we can read: too short, no magic cookie, an option running past the end. */
export class DhcpFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DhcpFormatError';
  }
}

const FIXED_SIZE = 236;
const MAGIC_COOKIE = [99, 130, 83, 99];
// RFC 1542 2.1: relays may drop BOOTP messages shorter than 300 bytes; clients pad to it.
const MIN_SIZE = 300;
const PAD = 0;
const END = 255;

/** The message as it goes on the wire, options in the Map's order, padded to 300 bytes. */
export function encodeDhcp(message: DhcpMessage): Uint8Array {
  const optionBytes: number[] = [];
  for (const [code, value] of message.options) {
    if (!Number.isInteger(code) || code <= PAD || code >= END) throw new RangeError(`DHCP option code ${code} is not 1-254`);
    // RFC 3396 would split a longer one into several; no option we send comes near 255 bytes.
    if (value.length > 255) throw new RangeError(`DHCP option ${code} is ${value.length} bytes, more than 255`);
    optionBytes.push(code, value.length, ...value);
  }
  optionBytes.push(END);
  const size = Math.max(MIN_SIZE, FIXED_SIZE + MAGIC_COOKIE.length + optionBytes.length);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  if (message.chaddr.length > 16) throw new RangeError(`a hardware address has at most 16 bytes, not ${message.chaddr.length}`);
  bytes[0] = message.op;
  bytes[1] = 1; // htype: Ethernet
  bytes[2] = message.chaddr.length;
  bytes[3] = 0; // hops
  view.setUint32(4, message.xid >>> 0);
  view.setUint16(8, message.secs);
  view.setUint16(10, message.broadcast ? 0x8000 : 0);
  bytes.set(ipv4(message.ciaddr, 'ciaddr'), 12);
  bytes.set(ipv4(message.yiaddr, 'yiaddr'), 16);
  bytes.set(ipv4(message.siaddr, 'siaddr'), 20);
  bytes.set(ipv4(message.giaddr, 'giaddr'), 24);
  bytes.set(message.chaddr, 28);
  bytes.set(MAGIC_COOKIE, FIXED_SIZE);
  bytes.set(optionBytes, FIXED_SIZE + MAGIC_COOKIE.length);
  return bytes;
}

/** Reads a message; throws DhcpFormatError for bytes that are not one. */
export function decodeDhcp(bytes: Uint8Array): DhcpMessage {
  if (bytes.length < FIXED_SIZE + MAGIC_COOKIE.length) throw new DhcpFormatError(`${bytes.length} bytes: a DHCP message has at least ${FIXED_SIZE + MAGIC_COOKIE.length}`);
  if (MAGIC_COOKIE.some((byte, index) => bytes[FIXED_SIZE + index] !== byte)) throw new DhcpFormatError('no DHCP magic cookie (a plain BOOTP message?)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const op = bytes[0];
  if (op !== BOOTREQUEST && op !== BOOTREPLY) throw new DhcpFormatError(`op ${String(op)} is neither BOOTREQUEST (1) nor BOOTREPLY (2)`);
  const hlen = bytes[2] ?? 0;
  if (hlen > 16) throw new DhcpFormatError(`hardware address length ${hlen} is more than 16`);
  const address = (offset: number): string => formatIp(bytes.slice(offset, offset + 4));
  return {
    op,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    broadcast: (view.getUint16(10) & 0x8000) !== 0,
    ciaddr: address(12),
    yiaddr: address(16),
    siaddr: address(20),
    giaddr: address(24),
    chaddr: bytes.slice(28, 28 + hlen),
    options: decodeOptions(bytes.subarray(FIXED_SIZE + MAGIC_COOKIE.length)),
  };
}

// RFC 2132 2: pad bytes, then code/length/value until END. A code that repeats has its values joined (RFC 3396).
function decodeOptions(bytes: Uint8Array): Map<number, Uint8Array> {
  const options = new Map<number, Uint8Array>();
  let offset = 0;
  for (;;) {
    if (offset >= bytes.length) throw new DhcpFormatError('the options have no end option (255)');
    const code = bytes[offset]!;
    if (code === END) return options;
    if (code === PAD) {
      offset += 1;
      continue;
    }
    const length = bytes[offset + 1];
    if (length === undefined || offset + 2 + length > bytes.length) throw new DhcpFormatError(`option ${code} runs past the end of the message`);
    const value = bytes.slice(offset + 2, offset + 2 + length);
    const earlier = options.get(code);
    options.set(code, earlier ? Uint8Array.from([...earlier, ...value]) : value);
    offset += 2 + length;
  }
}

function ipv4(text: string, what: string): Uint8Array {
  const address = parseIp(text);
  if (address?.family !== 4) throw new TypeError(`DHCP ${what} ${JSON.stringify(text)} is not an IPv4 address`);
  return address.bytes;
}
