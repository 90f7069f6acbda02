// Route requests (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE) as bytes, and RTM_NEWROUTE answers read back. Pure.
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE, RTN_UNICAST, RTPROT_BOOT } from './constants';
import { decodeAttributes, find, readU32, type NetlinkMessage } from './decode';
import { attribute, u32Attribute } from './encode';
import { formatIp, parseIp, parsePrefix, type IpAddress, type IpPrefix } from './ip-address';
import type { NetlinkRequest } from './route-socket';
import { scopeName, type Scope } from './scope';
import { decodeRtMsg, encodeRtMsg, RTMSG_SIZE } from './structs';

/** A route: to `destination` ("default", "10.0.0.0/8", "fd00::/64", "::/0") through `gateway` and/or out of `link`. */
export interface RouteSpec {
  destination: string;
  gateway?: string;
  link?: string;
  /** RTA_PRIORITY; the kernel's default (0 for IPv4, 1024 for IPv6) when left out. */
  metric?: number;
}

/** A route of any table, as the kernel reports it. */
export interface RouteInfo {
  family: 'inet' | 'inet6';
  /** "default" or "ADDRESS/LENGTH" (a host route too: "10.0.0.1/32"). */
  destination: string;
  gateway: string | undefined;
  /** The outgoing link's name and index. */
  link: string | undefined;
  linkIndex: number | undefined;
  table: number;
  /** RTPROT_*: 2 kernel, 3 boot, 4 static… */
  protocol: number;
  scope: Scope;
  /** RTN_*: 1 unicast, 2 local, 3 broadcast, 5 multicast… */
  type: number;
  metric: number | undefined;
  preferredSource: string | undefined;
}

/** A route before the link's name is known. */
export type RawRoute = Omit<RouteInfo, 'link'>;

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

/** RTM_NEWROUTE (NLM_F_CREATE | NLM_F_EXCL: the same route already there is EEXIST) or RTM_DELROUTE in the main table. */
export function routeRequest(action: 'add' | 'delete', route: ParsedRoute, linkIndex: number | undefined, metric: number | undefined, args: Record<string, unknown>): NetlinkRequest {
  const { destination, gateway } = route;
  const family = destination.address.family === 4 ? AF_INET : AF_INET6;
  // As iproute2: an IPv4 route out of a link without a gateway reaches its neighbours directly (link scope);
  // a delete matches any scope (nowhere).
  const scope = action === 'delete' ? RT_SCOPE_NOWHERE : family === AF_INET && gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  const header = encodeRtMsg({ family, destinationLength: destination.length, sourceLength: 0, tos: 0, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope, type: RTN_UNICAST, flags: 0 });
  const body = [header];
  if (destination.length > 0) body.push(attribute(RTA_DST, destination.address.bytes));
  if (gateway !== undefined) body.push(attribute(RTA_GATEWAY, gateway.bytes));
  if (linkIndex !== undefined) body.push(u32Attribute(RTA_OIF, linkIndex));
  if (metric !== undefined) body.push(u32Attribute(RTA_PRIORITY, metric));
  return action === 'add'
    ? { name: 'RTM_NEWROUTE', type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_EXCL, body, args }
    : { name: 'RTM_DELROUTE', type: RTM_DELROUTE, body, args };
}

/** RTM_GETROUTE of every route of every table and family (a dump). */
export function dumpRoutesRequest(): NetlinkRequest {
  return { name: 'RTM_GETROUTE', type: RTM_GETROUTE, body: [encodeRtMsg({ family: 0, destinationLength: 0, sourceLength: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0 })], args: { dump: true } };
}

/** A route from an RTM_NEWROUTE message, or undefined for a family other than IPv4 and IPv6. */
export function decodeRoute(message: NetlinkMessage): RawRoute | undefined {
  const header = decodeRtMsg(message.payload);
  if (header.family !== AF_INET && header.family !== AF_INET6) return undefined;
  const attributes = decodeAttributes(message.payload.subarray(RTMSG_SIZE));
  const destination = find(attributes, RTA_DST);
  const gateway = find(attributes, RTA_GATEWAY);
  const source = find(attributes, RTA_PREFSRC);
  return {
    family: header.family === AF_INET ? 'inet' : 'inet6',
    destination: header.destinationLength === 0 || destination === undefined ? 'default' : `${formatIp(destination)}/${header.destinationLength}`,
    gateway: gateway === undefined ? undefined : formatIp(gateway),
    linkIndex: readU32(find(attributes, RTA_OIF)),
    // RTA_TABLE holds tables above 255, which rtm_table cannot.
    table: readU32(find(attributes, RTA_TABLE)) ?? header.table,
    protocol: header.protocol,
    scope: scopeName(header.scope),
    type: header.type,
    metric: readU32(find(attributes, RTA_PRIORITY)),
    preferredSource: source === undefined ? undefined : formatIp(source),
  };
}
