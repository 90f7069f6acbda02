// What callers say about links, as plain data: the links to create, the changes to make, what a link is.

/** A network namespace: of a process, an open namespace file, or a namespace file (/run/netns/NAME, /proc/PID/ns/net). */
export type NetnsRef = { pid: number } | { fd: number } | { path: string };

/** A link to create. */
export type NewLink =
  /** A veth pair: `name` here, `peer.name` its other end, created directly in `peer.netns` when given. */
  | { kind: 'veth'; name: string; mac?: string; peer: { name: string; mac?: string; netns?: NetnsRef } }
  | { kind: 'bridge'; name: string }
  /** An 802.1Q VLAN interface `name` on `parent`, tagging with `id` (1–4094); needs the kernel's 8021q. */
  | { kind: 'vlan'; name: string; parent: string; id: number };

/** Changes to an existing link `name`; what is left out stays as it is. */
export interface LinkChange {
  name: string;
  up?: boolean;
  newName?: string;
  mac?: string;
  mtu?: number;
  /** A bridge (or other master) to attach the link to, or null to detach it from its master. */
  master?: string | null;
  /** Moves the link into another network namespace (it goes down there). */
  netns?: NetnsRef;
}

/** RFC 2863 operational state (IFLA_OPERSTATE), as iproute2 names it. */
export type OperState = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

export const OPER_STATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** A link as the kernel reports it. */
export interface LinkInfo {
  index: number;
  name: string;
  /** The link-layer address; undefined for a link without one (a tun device). */
  mac: string | undefined;
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** The driver signals layer 1 up (IFF_LOWER_UP). */
  lowerUp: boolean;
  /** RFC 2863 OPER_UP (IFF_RUNNING). */
  running: boolean;
  /** IFLA_CARRIER; undefined when the kernel did not report it. */
  carrier: boolean | undefined;
  operState: OperState;
  /** IFLA_INFO_KIND: veth, bridge, vlan…; undefined for a physical device or loopback. */
  kind: string | undefined;
  /** The master's (bridge's) name and index, when the link is attached to one. */
  master: string | undefined;
  masterIndex: number | undefined;
  /** IFLA_LINK: a VLAN's parent, a veth's peer (its index in the peer's namespace). */
  parentIndex: number | undefined;
  /** A VLAN's id (IFLA_VLAN_ID). */
  vlanId: number | undefined;
  /** struct ifinfomsg's flags, all of them. */
  flags: number;
}

// The kernel's dev_valid_name(): 1–15 bytes (IFNAMSIZ with the NUL), not "." or "..", no "/", ":" or whitespace.
const INVALID_NAME_CHARACTER = /[/:\s]/;

/** Throws a TypeError when `name` is not an interface name the kernel accepts. */
export function checkInterfaceName(call: string, what: string, name: string): string {
  const bytes = typeof name === 'string' ? Buffer.byteLength(name) : 0;
  if (bytes < 1 || bytes > 15 || name === '.' || name === '..' || INVALID_NAME_CHARACTER.test(name) || name.includes('\0')) {
    throw new TypeError(`${call}: ${what} must be an interface name of 1 to 15 bytes without "/", ":", whitespace or NUL, got ${JSON.stringify(name)}`);
  }
  return name;
}
