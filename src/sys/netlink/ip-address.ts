// IP addresses, prefixes and MAC addresses as users write them ("192.168.10.2/24", "fd00::2/64", "02:00:00:00:00:01")
// and as bytes for netlink. Pure; formatting follows inet_ntop(3) (RFC 5952), so text compares with iproute2's.

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** An address with a prefix length: "192.168.10.2/24". */
export interface IpPrefix {
  address: IpAddress;
  length: number;
}

const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** The address `text` is, or undefined. IPv4 is four decimal parts without leading zeros (which some tools read as octal). */
export function parseIp(text: string): IpAddress | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

function parseIpv4(text: string): IpAddress | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return undefined;
  return { family: 4, bytes: Uint8Array.from(parts) };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const words: number[] = [];
    const parts = half.split(':');
    for (const [index, part] of parts.entries()) {
      // A dotted IPv4 may end the address (::ffff:192.0.2.1): two groups.
      if (index === parts.length - 1 && part.includes('.')) {
        const ipv4 = parseIpv4(part);
        if (!ipv4) return undefined;
        const [a = 0, b = 0, c = 0, d = 0] = ipv4.bytes;
        words.push((a << 8) | b, (c << 8) | d);
      } else {
        if (!HEX_GROUP.test(part)) return undefined;
        words.push(parseInt(part, 16));
      }
    }
    return words;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return { family: 6, bytes };
}

/** "ADDRESS/LENGTH" (the length 0–32 or 0–128); throws a TypeError saying what is wrong. */
export function parsePrefix(text: string, what = 'address'): IpPrefix {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!address) throw new TypeError(`${what} ${JSON.stringify(text)} is not an IPv4 or IPv6 address with a prefix length (192.168.10.2/24, fd00::2/64)`);
  if (slash < 0) throw new TypeError(`${what} ${JSON.stringify(text)} has no prefix length: write it as ${text}/${address.family === 4 ? 24 : 64}, say`);
  const lengthText = text.slice(slash + 1);
  const max = address.family === 4 ? 32 : 128;
  const length = /^(0|[1-9][0-9]{0,2})$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= max)) throw new TypeError(`${what} ${JSON.stringify(text)}: the prefix length must be 0 to ${max}`);
  return { address, length };
}

/** The address as inet_ntop(3) writes it. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const words = Array.from({ length: 8 }, (_, index) => ((bytes[index * 2] ?? 0) << 8) | (bytes[index * 2 + 1] ?? 0));
  // The longest run of two or more zero words is written "::" (the first of equal runs).
  let best = { start: -1, length: 0 };
  for (let index = 0; index < 8; ) {
    if (words[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < 8 && words[end] === 0) end += 1;
    if (end - index > best.length) best = { start: index, length: end - index };
    index = end;
  }
  if (best.length < 2) best = { start: -1, length: 0 };
  // As glibc: an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in dotted decimal.
  if (best.start === 0 && (best.length === 6 || (best.length === 5 && words[5] === 0xffff))) {
    return `::${best.length === 5 ? 'ffff:' : ''}${Array.from(bytes.subarray(12)).join('.')}`;
  }
  const hex = (from: number, to: number): string => words.slice(from, to).map((word) => word.toString(16)).join(':');
  if (best.start < 0) return hex(0, 8);
  return `${hex(0, best.start)}::${hex(best.start + best.length, 8)}`;
}

const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;

/** A MAC address "02:00:00:00:00:01" as its six bytes; throws a TypeError otherwise. */
export function parseMac(text: string): Uint8Array {
  if (!MAC.test(text)) throw new TypeError(`${JSON.stringify(text)} is not a MAC address (six hex pairs separated by ":", e.g. 02:00:00:00:00:01)`);
  return Uint8Array.from(text.split(':').map((pair) => parseInt(pair, 16)));
}

/** Link-layer address bytes as lower-case hex pairs joined by ":" (as iproute2 prints them). */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(':');
}
