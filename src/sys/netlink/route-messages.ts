// Route requests (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE) as bytes, and RTM_NEWROUTE answers read back. Pure.
export { parseRoute, type ParsedRoute, type RouteSpec } from './route-spec';
import { AF_INET, AF_INET6, NLM_F_CREATE, NLM_F_EXCL, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWROUTE, RTN_UNICAST, RTPROT_BOOT } from './constants';
import { decodeAttributes, find, readU32, type NetlinkMessage } from './decode';
import { attribute, u32Attribute } from './encode';
import { formatIp } from './ip-address';
import type { ParsedRoute } from './route-spec';
import type { NetlinkRequest } from './route-socket';
import { scopeName, type Scope } from './scope';
import { decodeRtMsg, encodeRtMsg, RTMSG_SIZE } from './structs';

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
