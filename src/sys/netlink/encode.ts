// Netlink messages as bytes: the 16-byte header, a fixed family header, then attributes (type-length-value, each
// padded to 4 bytes). Pure: what goes to the kernel is built and tested without a socket.
import { endianness } from 'node:os';
import { NLA_F_NESTED } from './constants';

/** Netlink is in the machine's own byte order. */
export const LITTLE_ENDIAN = endianness() === 'LE';

export const NLMSG_HEADER_SIZE = 16;
export const ATTRIBUTE_HEADER_SIZE = 4;

/** `length` rounded up to netlink's 4-byte alignment (NLMSG_ALIGN, NLA_ALIGN). */
export function align4(length: number): number {
  return (length + 3) & ~3;
}

/** The bytes of `parts`, one after the other. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** One attribute: a 4-byte header (length without padding, type), the payload, zeros up to the alignment. */
export function attribute(type: number, payload: Uint8Array): Uint8Array {
  const length = ATTRIBUTE_HEADER_SIZE + payload.length;
  if (length > 0xffff) throw new RangeError(`netlink attribute ${type}: ${payload.length} bytes do not fit its 16-bit length`);
  const bytes = new Uint8Array(align4(length));
  const view = new DataView(bytes.buffer);
  view.setUint16(0, length, LITTLE_ENDIAN);
  view.setUint16(2, type, LITTLE_ENDIAN);
  bytes.set(payload, ATTRIBUTE_HEADER_SIZE);
  return bytes;
}

/** An attribute holding attributes (IFLA_LINKINFO, IFLA_INFO_DATA), flagged NLA_F_NESTED as the kernel's strict parser wants. */
export function nested(type: number, children: readonly Uint8Array[]): Uint8Array {
  return attribute(type | NLA_F_NESTED, concat(children));
}

export function u32Attribute(type: number, value: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value, LITTLE_ENDIAN);
  return attribute(type, payload);
}

export function u16Attribute(type: number, value: number): Uint8Array {
  const payload = new Uint8Array(2);
  new DataView(payload.buffer).setUint16(0, value, LITTLE_ENDIAN);
  return attribute(type, payload);
}

/** A C string attribute (IFLA_IFNAME, IFLA_INFO_KIND): the kernel expects the terminating NUL. */
export function stringAttribute(type: number, value: string): Uint8Array {
  return attribute(type, concat([new TextEncoder().encode(value), new Uint8Array(1)]));
}

/** What a request message holds. */
export interface MessageSpec {
  type: number;
  flags: number;
  seq: number;
  /** The family header (ifinfomsg, ifaddrmsg, rtmsg), then the attributes. */
  body: readonly Uint8Array[];
}

/** A whole message: nlmsghdr {len, type, flags, seq, pid 0}, then the body, padded to 4 bytes. */
export function encodeMessage(spec: MessageSpec): Uint8Array {
  const body = concat(spec.body);
  const length = NLMSG_HEADER_SIZE + body.length;
  const bytes = new Uint8Array(align4(length));
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, LITTLE_ENDIAN);
  view.setUint16(4, spec.type, LITTLE_ENDIAN);
  view.setUint16(6, spec.flags, LITTLE_ENDIAN);
  view.setUint32(8, spec.seq >>> 0, LITTLE_ENDIAN);
  view.setUint32(12, 0, LITTLE_ENDIAN);
  bytes.set(body, NLMSG_HEADER_SIZE);
  return bytes;
}
