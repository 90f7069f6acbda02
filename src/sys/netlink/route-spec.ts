// A route as a config or a caller writes it, parsed and checked: no netlink here, so validation can use it
// without loading the message codecs. Pure.
import { formatIp, parseIp, parsePrefix, type IpAddress, type IpPrefix } from './ip-address';

/** A route: to `destination` ("default", "10.0.0.0/8", "fd00::/64", "::/0") through `gateway` and/or out of `link`. */
export interface RouteSpec {
  destination: string;
  gateway?: string;
  link?: string;
  /** RTA_PRIORITY; the kernel's default (0 for IPv4, 1024 for IPv6) when left out. */
  metric?: number;
}

/** A route spec parsed: its destination as a prefix, its gateway as an address, both of one family. */
export interface ParsedRoute {
  destination: IpPrefix;
  gateway: IpAddress | undefined;
}

/**
 * Parses `spec`: "default" is IPv4 unless the gateway is IPv6 (write "::/0" for an IPv6 default route out of a link);
 * a destination with host bits set, a gateway of the other family, or neither gateway nor link is a TypeError.
 */
export function parseRoute(call: string, spec: RouteSpec): ParsedRoute {
  const gateway = spec.gateway === undefined ? undefined : parseIp(spec.gateway);
  if (spec.gateway !== undefined && gateway === undefined) throw new TypeError(`${call}: gateway ${JSON.stringify(spec.gateway)} is not an IPv4 or IPv6 address`);
  if (gateway === undefined && spec.link === undefined) throw new TypeError(`${call}: route to ${spec.destination} needs a gateway, a link, or both`);
  const destination = spec.destination === 'default' ? parsePrefix(gateway?.family === 6 ? '::/0' : '0.0.0.0/0') : parsePrefix(spec.destination, `${call}: destination`);
  if (gateway !== undefined && gateway.family !== destination.address.family) {
    throw new TypeError(`${call}: route to ${spec.destination} (IPv${destination.address.family}) through gateway ${spec.gateway!} (IPv${gateway.family}): both must be of one family`);
  }
  if (hasHostBits(destination)) throw new TypeError(`${call}: destination ${spec.destination} has bits set after its prefix length: write ${formatIp(network(destination))}/${destination.length}`);
  if (spec.metric !== undefined && !(Number.isSafeInteger(spec.metric) && spec.metric >= 0 && spec.metric <= 0xffff_ffff)) {
    throw new RangeError(`${call}: metric must be an integer from 0 to 4294967295, got ${String(spec.metric)}`);
  }
  return { destination, gateway };
}

function network(prefix: IpPrefix): Uint8Array {
  return prefix.address.bytes.map((byte, index) => {
    const bits = Math.min(8, Math.max(0, prefix.length - index * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

function hasHostBits(prefix: IpPrefix): boolean {
  const masked = network(prefix);
  return prefix.address.bytes.some((byte, index) => byte !== masked[index]);
}
