// Netlink messages read back: a datagram split into messages, a payload's attributes, an error's errno and the
// kernel's extended ack. Pure, and strict: a length that points outside the bytes is an error, never a guess.
import { NLA_F_NESTED, NLA_TYPE_MASK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS } from './constants';
import { align4, ATTRIBUTE_HEADER_SIZE, LITTLE_ENDIAN, NLMSG_HEADER_SIZE } from './encode';

/** One message of a datagram. */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  portId: number;
  /** What follows the 16-byte header, up to the message's length. */
  payload: Uint8Array;
}

/** One attribute, its type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags. */
export interface Attribute {
  type: number;
  nested: boolean;
  payload: Uint8Array;
}

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The messages of one datagram, in order. */
export function decodeMessages(bytes: Uint8Array): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HEADER_SIZE <= bytes.length) {
    const header = view(bytes.subarray(offset));
    const length = header.getUint32(0, LITTLE_ENDIAN);
    if (length < NLMSG_HEADER_SIZE || offset + length > bytes.length) {
      throw new Error(`netlink: a message at byte ${offset} says it is ${length} bytes long, but ${bytes.length - offset} are left`);
    }
    messages.push({
      type: header.getUint16(4, LITTLE_ENDIAN),
      flags: header.getUint16(6, LITTLE_ENDIAN),
      seq: header.getUint32(8, LITTLE_ENDIAN),
      portId: header.getUint32(12, LITTLE_ENDIAN),
      payload: bytes.subarray(offset + NLMSG_HEADER_SIZE, offset + length),
    });
    offset += align4(length);
  }
  if (offset < bytes.length) throw new Error(`netlink: ${bytes.length - offset} bytes after the last message are no whole message`);
  return messages;
}

/** The attributes in `bytes` (a payload after its family header, or a nested attribute's payload). */
export function decodeAttributes(bytes: Uint8Array): Attribute[] {
  const attributes: Attribute[] = [];
  let offset = 0;
  while (offset + ATTRIBUTE_HEADER_SIZE <= bytes.length) {
    const header = view(bytes.subarray(offset));
    const length = header.getUint16(0, LITTLE_ENDIAN);
    const type = header.getUint16(2, LITTLE_ENDIAN);
    if (length < ATTRIBUTE_HEADER_SIZE || offset + length > bytes.length) {
      throw new Error(`netlink: an attribute at byte ${offset} says it is ${length} bytes long, but ${bytes.length - offset} are left`);
    }
    attributes.push({ type: type & NLA_TYPE_MASK, nested: (type & NLA_F_NESTED) !== 0, payload: bytes.subarray(offset + ATTRIBUTE_HEADER_SIZE, offset + length) });
    offset += align4(length);
  }
  return attributes;
}

/** The payload of the first attribute of `type`, or undefined. */
export function find(attributes: readonly Attribute[], type: number): Uint8Array | undefined {
  return attributes.find((attribute) => attribute.type === type)?.payload;
}

export function readU32(payload: Uint8Array | undefined): number | undefined {
  return payload === undefined || payload.length < 4 ? undefined : view(payload).getUint32(0, LITTLE_ENDIAN);
}

export function readU16(payload: Uint8Array | undefined): number | undefined {
  return payload === undefined || payload.length < 2 ? undefined : view(payload).getUint16(0, LITTLE_ENDIAN);
}

export function readU8(payload: Uint8Array | undefined): number | undefined {
  return payload === undefined || payload.length < 1 ? undefined : payload[0];
}

/** A C string attribute, up to its NUL. */
export function readString(payload: Uint8Array | undefined): string | undefined {
  if (payload === undefined) return undefined;
  const end = payload.indexOf(0);
  return new TextDecoder().decode(end < 0 ? payload : payload.subarray(0, end));
}

/** What an NLMSG_ERROR (or a dump's NLMSG_DONE) says: errno 0 is an ack. */
export interface NetlinkStatus {
  /** Positive errno, 0 for success. */
  errno: number;
  /** The kernel's extended ack message ("Unknown device type"), when it gave one. */
  kernelMessage: string | undefined;
  /** Offset in the request of the attribute the kernel rejected, when it said. */
  offset: number | undefined;
}

/**
 * struct nlmsgerr: a negative errno, the request's header (its payload too unless NLM_F_CAPPED), then with
 * NLM_F_ACK_TLVS the extended ack attributes. `done` reads an NLMSG_DONE, whose ack attributes follow the errno.
 */
export function decodeStatus(message: NetlinkMessage, done = false): NetlinkStatus {
  const { payload, flags } = message;
  if (payload.length < 4) return { errno: 0, kernelMessage: undefined, offset: undefined };
  const error = view(payload).getInt32(0, LITTLE_ENDIAN);
  const errno = error === 0 ? 0 : -error;
  let tlvs = 4;
  if (!done) {
    if (payload.length < 4 + NLMSG_HEADER_SIZE) return { errno, kernelMessage: undefined, offset: undefined };
    const requestLength = view(payload).getUint32(4, LITTLE_ENDIAN);
    tlvs = 4 + ((flags & NLM_F_CAPPED) !== 0 ? NLMSG_HEADER_SIZE : align4(requestLength));
  }
  if ((flags & NLM_F_ACK_TLVS) === 0 || tlvs > payload.length) return { errno, kernelMessage: undefined, offset: undefined };
  const attributes = decodeAttributes(payload.subarray(tlvs));
  return { errno, kernelMessage: readString(find(attributes, NLMSGERR_ATTR_MSG)), offset: readU32(find(attributes, NLMSGERR_ATTR_OFFS)) };
}
