// Address requests (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR) as bytes, and RTM_NEWADDR answers read back. Pure.
import { AF_INET, AF_INET6, IFA_ADDRESS, IFA_CACHEINFO, IFA_LABEL, IFA_LOCAL, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RT_SCOPE_HOST, RT_SCOPE_UNIVERSE, RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR } from './constants';
import { decodeAttributes, find, readString, readU32, type NetlinkMessage } from './decode';
import { attribute, LITTLE_ENDIAN } from './encode';
import { formatIp, type IpPrefix } from './ip-address';
import type { NetlinkRequest } from './route-socket';
import { decodeIfAddrMsg, encodeIfAddrMsg, IFADDRMSG_SIZE } from './structs';
import { scopeName, type Scope } from './scope';

// IFA_FLAGS (<linux/if_addr.h>): the 32-bit flags, of which ifaddrmsg's 8-bit field holds the low byte.
const IFA_FLAGS = 8;

/** An address of a link, as the kernel reports it. */
export interface AddressInfo {
  /** The link's name and index. */
  link: string;
  index: number;
  family: 'inet' | 'inet6';
  /** Without its prefix length: "192.168.10.2", "fd00::2". */
  address: string;
  prefixLength: number;
  scope: Scope;
  /** IFA_LABEL (IPv4 only): the link's name, or an alias such as eth0:1. */
  label: string | undefined;
  /** IFA_F_* flags (permanent, tentative, …). */
  flags: number;
}

/** A decoded address before the link's name is known. */
export type RawAddress = Omit<AddressInfo, 'link'>;

const familyOf = (prefix: IpPrefix): number => (prefix.address.family === 4 ? AF_INET : AF_INET6);

/** An address's lifetimes in seconds (IFA_CACHEINFO); 0xffffffff is forever. The kernel removes it when `valid` runs out. */
export interface AddressLifetime {
  validSeconds: number;
  preferredSeconds: number;
}

/** The lifetime the kernel reads as "forever". */
export const FOREVER = 0xffff_ffff;

/**
 * RTM_NEWADDR or RTM_DELADDR of `prefix` on link `index`. `add` refuses an address already there (EEXIST);
 * `replace` updates it (its lifetimes) or adds it.
 */
export function addressRequest(action: 'add' | 'replace' | 'delete', index: number, prefix: IpPrefix, text: string, lifetime?: AddressLifetime): NetlinkRequest {
  const bytes = prefix.address.bytes;
  // As iproute2: 127.0.0.0/8 is host scope, everything else global; the kernel gives IPv6 addresses their scope itself.
  const scope = prefix.address.family === 4 && bytes[0] === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  const header = encodeIfAddrMsg({ family: familyOf(prefix), prefixLength: prefix.length, flags: 0, scope, index });
  // IFA_LOCAL is the address; IFA_ADDRESS, the peer's on a point-to-point link, is the same on any other.
  const body = [header, attribute(IFA_LOCAL, bytes), attribute(IFA_ADDRESS, bytes)];
  if (lifetime !== undefined && action !== 'delete') body.push(attribute(IFA_CACHEINFO, cacheInfo(lifetime)));
  const args = { index, address: text, ...(lifetime === undefined ? {} : { validSeconds: lifetime.validSeconds, preferredSeconds: lifetime.preferredSeconds }) };
  if (action === 'delete') return { name: 'RTM_DELADDR', type: RTM_DELADDR, body, args };
  return { name: 'RTM_NEWADDR', type: RTM_NEWADDR, flags: NLM_F_CREATE | (action === 'add' ? NLM_F_EXCL : NLM_F_REPLACE), body, args };
}

// struct ifa_cacheinfo (<linux/if_addr.h>): ifa_prefered, ifa_valid, cstamp, tstamp, host byte order; the stamps are the kernel's.
function cacheInfo(lifetime: AddressLifetime): Uint8Array {
  for (const [name, value] of [['validSeconds', lifetime.validSeconds], ['preferredSeconds', lifetime.preferredSeconds]] as const) {
    if (!(Number.isInteger(value) && value >= 0 && value <= FOREVER)) throw new RangeError(`address lifetime ${name} must be an integer from 0 to ${FOREVER}, got ${String(value)}`);
  }
  if (lifetime.preferredSeconds > lifetime.validSeconds) throw new RangeError(`address lifetime: preferred (${lifetime.preferredSeconds}s) is longer than valid (${lifetime.validSeconds}s)`);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, lifetime.preferredSeconds, LITTLE_ENDIAN);
  view.setUint32(4, lifetime.validSeconds, LITTLE_ENDIAN);
  return bytes;
}

/** RTM_GETADDR of every address of every family (a dump). */
export function dumpAddressesRequest(): NetlinkRequest {
  return { name: 'RTM_GETADDR', type: RTM_GETADDR, body: [encodeIfAddrMsg({ family: 0, prefixLength: 0, flags: 0, scope: 0, index: 0 })], args: { dump: true } };
}

/** An address from an RTM_NEWADDR message, or undefined for a family other than IPv4 and IPv6. */
export function decodeAddress(message: NetlinkMessage): RawAddress | undefined {
  const header = decodeIfAddrMsg(message.payload);
  if (header.family !== AF_INET && header.family !== AF_INET6) return undefined;
  const attributes = decodeAttributes(message.payload.subarray(IFADDRMSG_SIZE));
  const bytes = find(attributes, IFA_LOCAL) ?? find(attributes, IFA_ADDRESS);
  if (bytes === undefined) return undefined;
  return {
    index: header.index,
    family: header.family === AF_INET ? 'inet' : 'inet6',
    address: formatIp(bytes),
    prefixLength: header.prefixLength,
    scope: scopeName(header.scope),
    label: readString(find(attributes, IFA_LABEL)),
    flags: readU32(find(attributes, IFA_FLAGS)) ?? header.flags,
  };
}
