// Link requests (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK) as bytes, and RTM_NEWLINK answers read back. Pure: names
// are resolved to indexes and namespace files opened by the caller (links.ts).
import { IFF_LOWER_UP, IFF_RUNNING, IFF_UP, IFLA_ADDRESS, IFLA_CARRIER, IFLA_IFNAME, IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_MASTER, IFLA_MTU, IFLA_NET_NS_FD, IFLA_NET_NS_PID, IFLA_OPERSTATE, IFLA_VLAN_ID, NLM_F_CREATE, NLM_F_EXCL, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK, VETH_INFO_PEER } from './constants';
import { decodeAttributes, find, readString, readU16, readU32, readU8, type NetlinkMessage } from './decode';
import { attribute, concat, nested, stringAttribute, u16Attribute, u32Attribute } from './encode';
import { formatMac, parseMac } from './ip-address';
import { OPER_STATES, type LinkInfo } from './link-spec';
import type { NetlinkRequest } from './route-socket';
import { decodeIfInfoMsg, encodeIfInfoMsg, IFINFOMSG_SIZE } from './structs';

// errno values from <asm-generic/errno*.h>, the same on x86_64 and aarch64.
const ENODEV = 19;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/** A namespace by process or by an open namespace file: IFLA_NET_NS_PID or IFLA_NET_NS_FD. */
export type NetnsAttribute = { pid: number } | { fd: number };

/** A link to create, with its names resolved: a VLAN's parent as an index, a peer's namespace as a pid or descriptor. */
export type ResolvedNewLink =
  | { kind: 'veth'; name: string; mac?: string; peer: { name: string; mac?: string; netns?: NetnsAttribute } }
  | { kind: 'bridge'; name: string }
  | { kind: 'vlan'; name: string; parentIndex: number; id: number };

/** Changes to the link `index`, resolved: the master as an index (0 detaches), the namespace as a pid or descriptor. */
export interface ResolvedLinkChange {
  index: number;
  /** The link's name, for messages. */
  name?: string;
  up?: boolean;
  newName?: string;
  mac?: string;
  mtu?: number;
  masterIndex?: number;
  netns?: NetnsAttribute;
}

function netnsAttribute(netns: NetnsAttribute): Uint8Array {
  return 'pid' in netns ? u32Attribute(IFLA_NET_NS_PID, netns.pid) : u32Attribute(IFLA_NET_NS_FD, netns.fd);
}

/** RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL: an existing link of that name is an error (EEXIST), never changed. */
export function newLinkRequest(link: ResolvedNewLink): NetlinkRequest {
  const attributes = [stringAttribute(IFLA_IFNAME, link.name)];
  const args: Record<string, unknown> = { kind: link.kind, name: link.name };
  let data: Uint8Array[] = [];
  let hint: NetlinkRequest['hint'];
  switch (link.kind) {
    case 'veth': {
      if (link.mac !== undefined) attributes.push(attribute(IFLA_ADDRESS, parseMac(link.mac)));
      // VETH_INFO_PEER holds a whole ifinfomsg and the peer's own attributes, not attributes alone.
      const peer = [stringAttribute(IFLA_IFNAME, link.peer.name)];
      if (link.peer.mac !== undefined) peer.push(attribute(IFLA_ADDRESS, parseMac(link.peer.mac)));
      if (link.peer.netns !== undefined) peer.push(netnsAttribute(link.peer.netns));
      data = [attribute(VETH_INFO_PEER, concat([encodeIfInfoMsg({}), ...peer]))];
      args.peer = link.peer.name;
      if (link.peer.netns !== undefined) args.peerNetns = 'pid' in link.peer.netns ? `pid ${link.peer.netns.pid}` : `fd ${link.peer.netns.fd}`;
      break;
    }
    case 'bridge':
      break;
    case 'vlan':
      attributes.push(u32Attribute(IFLA_LINK, link.parentIndex));
      data = [u16Attribute(IFLA_VLAN_ID, link.id)];
      Object.assign(args, { parentIndex: link.parentIndex, id: link.id });
      // Linux asks for the rtnl-link-vlan module itself; EOPNOTSUPP means the kernel has none.
      hint = (errno) => (errno === EOPNOTSUPP ? 'the kernel has no 8021q (modprobe 8021q)' : undefined);
      break;
  }
  const info = [stringAttribute(IFLA_INFO_KIND, link.kind), ...(data.length > 0 ? [nested(IFLA_INFO_DATA, data)] : [])];
  attributes.push(nested(IFLA_LINKINFO, info));
  return { name: 'RTM_NEWLINK', type: RTM_NEWLINK, flags: NLM_F_CREATE | NLM_F_EXCL, body: [encodeIfInfoMsg({}), ...attributes], args, ...(hint ? { hint } : {}) };
}

/** RTM_NEWLINK on an existing link by index (no NLM_F_CREATE): only what `change` names is changed. */
export function changeLinkRequest(change: ResolvedLinkChange): NetlinkRequest {
  const attributes: Uint8Array[] = [];
  const args: Record<string, unknown> = change.name === undefined ? { index: change.index } : { name: change.name };
  if (change.newName !== undefined) {
    attributes.push(stringAttribute(IFLA_IFNAME, change.newName));
    args.newName = change.newName;
  }
  if (change.mac !== undefined) {
    attributes.push(attribute(IFLA_ADDRESS, parseMac(change.mac)));
    args.mac = change.mac;
  }
  if (change.mtu !== undefined) {
    attributes.push(u32Attribute(IFLA_MTU, change.mtu));
    args.mtu = change.mtu;
  }
  if (change.masterIndex !== undefined) {
    attributes.push(u32Attribute(IFLA_MASTER, change.masterIndex));
    args.masterIndex = change.masterIndex;
  }
  if (change.netns !== undefined) {
    attributes.push(netnsAttribute(change.netns));
    args.netns = 'pid' in change.netns ? `pid ${change.netns.pid}` : `fd ${change.netns.fd}`;
  }
  const flags = change.up === undefined ? 0 : change.up ? IFF_UP : 0;
  if (change.up !== undefined) args.up = change.up;
  const request: NetlinkRequest = { name: 'RTM_NEWLINK', type: RTM_NEWLINK, body: [encodeIfInfoMsg({ index: change.index, flags, change: change.up === undefined ? 0 : IFF_UP }), ...attributes], args };
  // get_net_ns_by_fd() refuses a descriptor of anything but a network namespace with EINVAL.
  if (change.netns !== undefined && 'fd' in change.netns) request.hint = (errno) => (errno === EINVAL ? 'the namespace given is not a network namespace' : undefined);
  return request;
}

/** RTM_DELLINK by name. */
export function deleteLinkRequest(name: string): NetlinkRequest {
  const hint = (errno: number): string | undefined => (errno === ENODEV ? `no link is named ${name} in this network namespace` : undefined);
  return { name: 'RTM_DELLINK', type: RTM_DELLINK, body: [encodeIfInfoMsg({}), stringAttribute(IFLA_IFNAME, name)], args: { name }, hint };
}

/** RTM_GETLINK of one link, by name or by index. */
export function getLinkRequest(link: { name: string } | { index: number }): NetlinkRequest {
  if ('name' in link) {
    const hint = (errno: number): string | undefined => (errno === ENODEV ? `no link is named ${link.name} in this network namespace` : undefined);
    return { name: 'RTM_GETLINK', type: RTM_GETLINK, body: [encodeIfInfoMsg({}), stringAttribute(IFLA_IFNAME, link.name)], args: { name: link.name }, hint };
  }
  return { name: 'RTM_GETLINK', type: RTM_GETLINK, body: [encodeIfInfoMsg({ index: link.index })], args: { index: link.index } };
}

/** RTM_GETLINK of every link (a dump). */
export function dumpLinksRequest(): NetlinkRequest {
  return { name: 'RTM_GETLINK', type: RTM_GETLINK, body: [encodeIfInfoMsg({})], args: { dump: true } };
}

/** A link from an RTM_NEWLINK message; `master` is left for the caller, who knows the names of the indexes. */
export function decodeLink(message: NetlinkMessage): LinkInfo {
  const header = decodeIfInfoMsg(message.payload);
  const attributes = decodeAttributes(message.payload.subarray(IFINFOMSG_SIZE));
  const info = find(attributes, IFLA_LINKINFO);
  const infoAttributes = info === undefined ? [] : decodeAttributes(info);
  const kind = readString(find(infoAttributes, IFLA_INFO_KIND));
  const data = find(infoAttributes, IFLA_INFO_DATA);
  const vlanId = kind === 'vlan' && data !== undefined ? readU16(find(decodeAttributes(data), IFLA_VLAN_ID)) : undefined;
  const address = find(attributes, IFLA_ADDRESS);
  const carrier = readU8(find(attributes, IFLA_CARRIER));
  const masterIndex = readU32(find(attributes, IFLA_MASTER));
  const parentIndex = readU32(find(attributes, IFLA_LINK));
  return {
    index: header.index,
    name: readString(find(attributes, IFLA_IFNAME)) ?? '',
    mac: address === undefined || address.length === 0 ? undefined : formatMac(address),
    mtu: readU32(find(attributes, IFLA_MTU)) ?? 0,
    up: (header.flags & IFF_UP) !== 0,
    lowerUp: (header.flags & IFF_LOWER_UP) !== 0,
    running: (header.flags & IFF_RUNNING) !== 0,
    carrier: carrier === undefined ? undefined : carrier !== 0,
    operState: OPER_STATES[readU8(find(attributes, IFLA_OPERSTATE)) ?? 0] ?? 'unknown',
    kind,
    master: undefined,
    masterIndex: masterIndex === 0 ? undefined : masterIndex,
    // A link that is its own parent (IFLA_LINK = index) has none.
    parentIndex: parentIndex === undefined || parentIndex === 0 || parentIndex === header.index ? undefined : parentIndex,
    vlanId,
    flags: header.flags,
  };
}
