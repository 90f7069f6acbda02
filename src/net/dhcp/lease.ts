// What a DHCP client sends (DISCOVER, REQUEST) and what it takes from an OFFER or ACK: the lease. Pure.
import { formatIp, parseIp } from '../../sys/netlink/ip-address';
import { BOOTREPLY, BOOTREQUEST, DhcpType, type DhcpMessage, type DhcpTypeName } from './message';

/** RFC 2132 option codes this client reads or sends. */
export const DhcpOption = {
  subnetMask: 1,
  router: 3,
  dns: 6,
  hostname: 12,
  domain: 15,
  mtu: 26,
  requestedAddress: 50,
  leaseTime: 51,
  messageType: 53,
  serverId: 54,
  parameterList: 55,
  maxMessageSize: 57,
  renewalTime: 58,
  rebindingTime: 59,
} as const;

/** What an OFFER or ACK gives. */
export interface DhcpLease {
  /** The address with its prefix length, as `addresses` takes it ("10.0.2.15/24"). */
  address: string;
  routers: string[];
  dns: string[];
  domain: string | undefined;
  mtu: number | undefined;
  /** Seconds; undefined when the server gave none (RFC 2131 then says infinite for an ACK). */
  leaseSeconds: number | undefined;
  /** T1 and T2 in seconds when the server sets them (options 58, 59); RFC 2131's 1/2 and 7/8 of the lease otherwise. */
  renewalSeconds: number | undefined;
  rebindingSeconds: number | undefined;
  serverId: string;
}

/** An answer that does not make a lease: no server id, no subnet mask, a mask with holes. */
export class DhcpLeaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DhcpLeaseError';
  }
}

const parameters = [DhcpOption.subnetMask, DhcpOption.router, DhcpOption.dns, DhcpOption.domain, DhcpOption.mtu, DhcpOption.leaseTime];

/**
 * What a client asks for: the first message (DISCOVER), the REQUEST for what a server offered, or the REQUEST
 * that extends a lease it holds (RENEWING, REBINDING: `ciaddr` is its address, RFC 2131 4.3.2).
 */
export type ClientMessage = { type: 'discover' } | { type: 'request'; address: string; serverId: string } | { type: 'request'; ciaddr: string };

/**
 * A client's message from `mac`. Without an address it sets the broadcast flag (it cannot take a unicast reply);
 * extending a lease it has the address, so the reply comes to it.
 */
export function clientMessage(spec: ClientMessage & { xid: number; mac: Uint8Array; secs: number; hostname?: string }): DhcpMessage {
  const options = new Map<number, Uint8Array>([[DhcpOption.messageType, Uint8Array.of(DhcpType[spec.type])]]);
  const ciaddr = 'ciaddr' in spec ? spec.ciaddr : '0.0.0.0';
  if ('serverId' in spec) {
    options.set(DhcpOption.requestedAddress, addressBytes(spec.address));
    options.set(DhcpOption.serverId, addressBytes(spec.serverId));
  }
  options.set(DhcpOption.parameterList, Uint8Array.from(parameters));
  // RFC 2131 allows 576 bytes; Ethernet takes more, and some servers trim options to the size a client says.
  options.set(DhcpOption.maxMessageSize, Uint8Array.of(1500 >> 8, 1500 & 0xff));
  if (spec.hostname !== undefined) options.set(DhcpOption.hostname, new TextEncoder().encode(spec.hostname));
  return { op: BOOTREQUEST, xid: spec.xid, secs: Math.min(spec.secs, 0xffff), broadcast: ciaddr === '0.0.0.0', ciaddr, yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0', chaddr: spec.mac, options };
}

/** Option 53 of a message, by name; undefined when it has none or an unknown one. */
export function messageType(message: DhcpMessage): DhcpTypeName | undefined {
  const value = message.options.get(DhcpOption.messageType);
  if (value?.length !== 1) return undefined;
  return (Object.keys(DhcpType) as DhcpTypeName[]).find((name) => DhcpType[name] === value[0]);
}

/** Whether `message` is a server's reply of `type` to our transaction `xid` for our `mac`. */
export function isReplyTo(message: DhcpMessage, xid: number, mac: Uint8Array, ...types: DhcpTypeName[]): boolean {
  const type = messageType(message);
  return message.op === BOOTREPLY && message.xid === xid >>> 0 && sameBytes(message.chaddr, mac) && type !== undefined && types.includes(type);
}

/** The lease an OFFER or ACK describes; throws DhcpLeaseError when it lacks what a lease needs. */
export function leaseOf(message: DhcpMessage): DhcpLease {
  const serverId = message.options.get(DhcpOption.serverId);
  if (serverId?.length !== 4) throw new DhcpLeaseError('the answer has no server identifier (option 54)');
  const mask = message.options.get(DhcpOption.subnetMask);
  if (mask?.length !== 4) throw new DhcpLeaseError(`the answer for ${message.yiaddr} has no subnet mask (option 1)`);
  const bits = Array.from(mask, (byte) => byte.toString(2).padStart(8, '0')).join('');
  if (bits.includes('01')) throw new DhcpLeaseError(`the subnet mask ${formatIp(mask)} has a zero bit before a one bit`);
  const mtu = uint(message.options.get(DhcpOption.mtu), 2);
  const domain = message.options.get(DhcpOption.domain);
  return {
    address: `${message.yiaddr}/${bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')}`,
    routers: addresses(message.options.get(DhcpOption.router)),
    dns: addresses(message.options.get(DhcpOption.dns)),
    // Some servers end the name with a NUL, as C strings do.
    domain: domain === undefined ? undefined : new TextDecoder().decode(domain).replace(/\0+$/, ''),
    // RFC 2132 5.1: the smallest MTU is 68; a smaller one is not a value to set.
    mtu: mtu !== undefined && mtu >= 68 ? mtu : undefined,
    leaseSeconds: uint(message.options.get(DhcpOption.leaseTime), 4),
    renewalSeconds: uint(message.options.get(DhcpOption.renewalTime), 4),
    rebindingSeconds: uint(message.options.get(DhcpOption.rebindingTime), 4),
    serverId: formatIp(serverId),
  };
}

function addresses(value: Uint8Array | undefined): string[] {
  if (value === undefined) return [];
  const list: string[] = [];
  for (let offset = 0; offset + 4 <= value.length; offset += 4) list.push(formatIp(value.slice(offset, offset + 4)));
  return list;
}

function uint(value: Uint8Array | undefined, size: 2 | 4): number | undefined {
  if (value?.length !== size) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return size === 2 ? view.getUint16(0) : view.getUint32(0);
}

function addressBytes(text: string): Uint8Array {
  const address = parseIp(text);
  if (address?.family !== 4) throw new TypeError(`${JSON.stringify(text)} is not an IPv4 address`);
  return address.bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
