// The fixed family headers after nlmsghdr: struct ifinfomsg (links), ifaddrmsg (addresses), rtmsg (routes).
import { LITTLE_ENDIAN } from './encode';

/** struct ifinfomsg {u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change}: 16 bytes. */
export interface IfInfoMsg {
  family: number;
  /** ARPHRD_* of the device. */
  type: number;
  index: number;
  flags: number;
  /** Which bits of `flags` a request changes. */
  change: number;
}

export const IFINFOMSG_SIZE = 16;

export function encodeIfInfoMsg(message: Partial<IfInfoMsg>): Uint8Array {
  const bytes = new Uint8Array(IFINFOMSG_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, message.family ?? 0);
  view.setUint16(2, message.type ?? 0, LITTLE_ENDIAN);
  view.setInt32(4, message.index ?? 0, LITTLE_ENDIAN);
  view.setUint32(8, message.flags ?? 0, LITTLE_ENDIAN);
  view.setUint32(12, message.change ?? 0, LITTLE_ENDIAN);
  return bytes;
}

export function decodeIfInfoMsg(payload: Uint8Array): IfInfoMsg {
  const view = fixed(payload, IFINFOMSG_SIZE, 'ifinfomsg');
  return { family: view.getUint8(0), type: view.getUint16(2, LITTLE_ENDIAN), index: view.getInt32(4, LITTLE_ENDIAN), flags: view.getUint32(8, LITTLE_ENDIAN), change: view.getUint32(12, LITTLE_ENDIAN) };
}

/** struct ifaddrmsg {u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index}: 8 bytes. */
export interface IfAddrMsg {
  family: number;
  prefixLength: number;
  flags: number;
  scope: number;
  index: number;
}

export const IFADDRMSG_SIZE = 8;

export function encodeIfAddrMsg(message: IfAddrMsg): Uint8Array {
  const bytes = new Uint8Array(IFADDRMSG_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, message.family);
  view.setUint8(1, message.prefixLength);
  view.setUint8(2, message.flags);
  view.setUint8(3, message.scope);
  view.setUint32(4, message.index, LITTLE_ENDIAN);
  return bytes;
}

export function decodeIfAddrMsg(payload: Uint8Array): IfAddrMsg {
  const view = fixed(payload, IFADDRMSG_SIZE, 'ifaddrmsg');
  return { family: view.getUint8(0), prefixLength: view.getUint8(1), flags: view.getUint8(2), scope: view.getUint8(3), index: view.getUint32(4, LITTLE_ENDIAN) };
}

/** struct rtmsg {u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags}: 12 bytes. */
export interface RtMsg {
  family: number;
  destinationLength: number;
  sourceLength: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

export const RTMSG_SIZE = 12;

export function encodeRtMsg(message: RtMsg): Uint8Array {
  const bytes = new Uint8Array(RTMSG_SIZE);
  const view = new DataView(bytes.buffer);
  const fields = [message.family, message.destinationLength, message.sourceLength, message.tos, message.table, message.protocol, message.scope, message.type];
  fields.forEach((value, index) => view.setUint8(index, value));
  view.setUint32(8, message.flags, LITTLE_ENDIAN);
  return bytes;
}

export function decodeRtMsg(payload: Uint8Array): RtMsg {
  const view = fixed(payload, RTMSG_SIZE, 'rtmsg');
  return {
    family: view.getUint8(0),
    destinationLength: view.getUint8(1),
    sourceLength: view.getUint8(2),
    tos: view.getUint8(3),
    table: view.getUint8(4),
    protocol: view.getUint8(5),
    scope: view.getUint8(6),
    type: view.getUint8(7),
    flags: view.getUint32(8, LITTLE_ENDIAN),
  };
}

function fixed(payload: Uint8Array, size: number, name: string): DataView {
  if (payload.length < size) throw new Error(`netlink: a ${name} needs ${size} bytes, the message has ${payload.length}`);
  return new DataView(payload.buffer, payload.byteOffset, size);
}
