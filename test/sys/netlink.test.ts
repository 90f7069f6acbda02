// rtnetlink against the real kernel, in a fresh network namespace each: what Sys does, seen by iproute2
// (`ip -j`), and how the kernel's refusals read.
import { describe, expect, it } from 'vitest';
import type { AddressInfo, LinkInfo, RouteInfo } from '../../src/sys/index';
import type { ErrorReport } from './fixtures/report';
import { fixtureResult, runFixture } from './run-fixture';

interface IpLink {
  ifindex: number;
  ifname: string;
  link?: string;
  address?: string;
  mtu: number;
  flags: string[];
  operstate: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}
interface IpAddresses {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
}
interface Snapshot<Ours, Ip> {
  ours: Ours[];
  ip: Ip[];
}

const scenario = <T>(name: string): T => fixtureResult<T>(runFixture('netlink', [name], { net: true }));

/** The fields both describe, from iproute2's view of the links. */
function ipLinks(links: readonly IpLink[]): unknown[] {
  return links.map((link) => ({
    index: link.ifindex,
    name: link.ifname,
    mac: link.address,
    mtu: link.mtu,
    up: link.flags.includes('UP'),
    lowerUp: link.flags.includes('LOWER_UP'),
    operState: link.operstate.toLowerCase(),
    kind: link.linkinfo?.info_kind,
    master: link.master,
    peer: link.link,
  }));
}

/** The same fields from ours. */
function ourLinks(links: readonly LinkInfo[]): unknown[] {
  const names = new Map(links.map((link) => [link.index, link.name]));
  return links.map((link) => ({
    index: link.index,
    name: link.name,
    mac: link.mac,
    mtu: link.mtu,
    up: link.up,
    lowerUp: link.lowerUp,
    operState: link.operState,
    kind: link.kind,
    master: link.master,
    peer: link.parentIndex === undefined ? undefined : names.get(link.parentIndex),
  }));
}

const sameLinks = (snapshot: Snapshot<LinkInfo, IpLink>): void => expect(ourLinks(snapshot.ours)).toEqual(ipLinks(snapshot.ip));

describe('links', () => {
  const result = scenario<{ created: Snapshot<LinkInfo, IpLink>; changed: Snapshot<LinkInfo, IpLink>; deleted: Snapshot<LinkInfo, IpLink>; beforePeerUp: LinkInfo; afterPeerUp: LinkInfo; refusals: Record<string, ErrorReport | null> }>('links');

  it('a bridge and a veth pair with MACs, MTU, master and up, as ip sees them', () => {
    sameLinks(result.created);
    expect(ourLinks(result.created.ours)).toEqual([
      { index: 1, name: 'lo', mac: '00:00:00:00:00:00', mtu: 65536, up: true, lowerUp: true, operState: 'unknown', kind: undefined, master: undefined, peer: undefined },
      // A bridge takes the lowest MAC and the lowest MTU of its ports.
      { index: 2, name: 'br0', mac: '02:00:00:00:00:01', mtu: 1400, up: true, lowerUp: true, operState: 'up', kind: 'bridge', master: undefined, peer: undefined },
      { index: 3, name: 'v1', mac: '02:00:00:00:00:02', mtu: 1500, up: true, lowerUp: true, operState: 'up', kind: 'veth', master: undefined, peer: 'v0' },
      { index: 4, name: 'v0', mac: '02:00:00:00:00:01', mtu: 1400, up: true, lowerUp: true, operState: 'up', kind: 'veth', master: 'br0', peer: 'v1' },
    ]);
  });

  it('carrier follows the peer: the state to wait on', () => {
    expect(result.beforePeerUp).toMatchObject({ up: true, lowerUp: false, carrier: false, operState: 'lowerlayerdown', master: 'br0' });
    expect(result.afterPeerUp).toMatchObject({ up: true, lowerUp: true, carrier: true, running: true, operState: 'up' });
  });

  it('rename, a new MAC, detach from the bridge, down: as ip sees them', () => {
    sameLinks(result.changed);
    const byName = new Map(result.changed.ours.map((link) => [link.name, link]));
    expect(byName.has('v1')).toBe(false);
    expect(byName.get('v9')).toMatchObject({ index: 3, mac: '02:00:00:00:00:09' });
    expect(byName.get('v0')?.master).toBeUndefined();
    expect(byName.get('br0')).toMatchObject({ up: false, operState: 'down' });
  });

  it('deleting one end of a veth pair removes both', () => {
    sameLinks(result.deleted);
    expect(result.deleted.ours.map((link) => link.name)).toEqual(['lo', 'br0']);
  });

  it('refusals name the request, the errno and the kernel\'s words; bad arguments never reach the kernel', () => {
    const { refusals } = result;
    expect(refusals.vlan?.message).toBe('RTM_NEWLINK(kind="vlan", name="v0.302", parentIndex=4, id=302): EOPNOTSUPP (Operation not supported); the kernel says "Unknown device type"; the kernel has no 8021q (modprobe 8021q)');
    expect(refusals.exists).toMatchObject({ code: 'EEXIST', message: 'RTM_NEWLINK(kind="bridge", name="br0"): EEXIST (File exists)' });
    expect(refusals.missing?.message).toBe('RTM_GETLINK(name="nope"): ENODEV (No such device); no link is named nope in this network namespace');
    expect(refusals.master?.code).toBe('ENODEV');
    expect(refusals.vlanParent?.code).toBe('ENODEV');
    expect(refusals.mtu?.message).toBe('RTM_NEWLINK(name="v0", mtu=70000): EINVAL (Invalid argument); the kernel says "mtu greater than device maximum"');
    expect(refusals.vlanId).toEqual({ name: 'RangeError', message: 'addLink: id must be an integer from 1 to 4094, got 0' });
    expect(refusals.name?.name).toBe('TypeError');
    expect(refusals.mac?.message).toMatch(/"02:00:00:00:00" is not a MAC address/);
  });
});

describe('links and other network namespaces', () => {
  const result = scenario<{ placed: { here: string[]; there: IpLink[] }; afterDelete: { here: string[]; there: IpLink[] }; refusals: Record<string, ErrorReport | null> }>('netns');

  it('a veth peer is created directly in a namespace (by pid, by namespace file), or moved there (by descriptor, by pid)', () => {
    expect(result.placed.here).toEqual(['lo', 'h0', 'h1', 'h2', 'h3']);
    expect(result.placed.there.map((link) => link.ifname)).toEqual(['lo', 'eth0', 'eth1', 'moved', 'byPid']);
    expect(result.placed.there.find((link) => link.ifname === 'eth0')?.address).toBe('02:00:00:00:00:20');
  });

  it('deleting the host end removes the peer in the other namespace', () => {
    expect(result.afterDelete.here).toEqual(['lo', 'h1', 'h2', 'h3']);
    expect(result.afterDelete.there.map((link) => link.ifname)).toEqual(['lo', 'eth1', 'moved', 'byPid']);
  });

  it('a file that is no network namespace, a process that is gone: refused, saying so', () => {
    expect(result.refusals.notNetns?.message).toBe('RTM_NEWLINK(name="h1", netns="/proc/self/status"): EINVAL (Invalid argument); the namespace given is not a network namespace');
    expect(result.refusals.noProcess?.message).toBe('RTM_NEWLINK(name="h1", netns="pid 999999"): ESRCH (No such process)');
  });
});

/** Addresses as "link family address/prefix scope", ours and ip's. */
const addressLines = (snapshot: Snapshot<AddressInfo, IpAddresses>): { ours: string[]; ip: string[] } => ({
  ours: snapshot.ours.map((address) => `${address.link} ${address.family} ${address.address}/${address.prefixLength} ${String(address.scope)}`).sort(),
  ip: snapshot.ip.flatMap((link) => link.addr_info.map((address) => `${link.ifname} ${address.family} ${address.local}/${address.prefixlen} ${address.scope}`)).sort(),
});

describe('addresses', () => {
  const result = scenario<{ added: Snapshot<AddressInfo, IpAddresses>; deleted: Snapshot<AddressInfo, IpAddresses>; refusals: Record<string, ErrorReport | null> }>('addresses');

  it('IPv4 and IPv6 added, as ip sees them', () => {
    const { ours, ip } = addressLines(result.added);
    expect(ours).toEqual(ip);
    expect(ours).toEqual(expect.arrayContaining(['a0 inet 192.168.10.2/24 global', 'a0 inet6 fd00::2/64 global', 'a1 inet 10.213.0.1/16 global', 'lo inet 127.0.0.2/8 host']));
  });

  it('deleted, as ip sees them', () => {
    const { ours, ip } = addressLines(result.deleted);
    expect(ours).toEqual(ip);
    expect(ours.filter((line) => line.startsWith('a0 ') && !line.includes(' fe80::'))).toEqual([]);
  });

  it('refusals', () => {
    expect(result.refusals.again?.message).toBe('RTM_NEWADDR(link="a1", address="10.213.0.1/16"): EEXIST (File exists); the kernel says "ipv4: Address already assigned"');
    expect(result.refusals.absent?.code).toBe('EADDRNOTAVAIL');
    expect(result.refusals.noLink?.code).toBe('ENODEV');
    expect(result.refusals.text).toEqual({ name: 'TypeError', message: 'addAddress: address "10.0.0.1" has no prefix length: write it as 10.0.0.1/24, say' });
  });
});

const PROTOCOLS: Record<number, string> = { 2: 'kernel', 3: 'boot', 4: 'static' };

/** Main-table routes as "destination via gateway dev link metric protocol", ours and ip's. */
const routeLines = (snapshot: Snapshot<RouteInfo, IpRoute>): { ours: string[]; ip: string[] } => ({
  // ip writes a host route without its /32 or /128; none is made here.
  ours: snapshot.ours.map((route) => `${route.destination} via ${route.gateway ?? '-'} dev ${route.link ?? '-'} metric ${route.metric ?? '-'} ${PROTOCOLS[route.protocol] ?? route.protocol}`).sort(),
  // ip leaves out the protocol of a route it would make itself: boot.
  ip: snapshot.ip.map((route) => `${route.dst} via ${route.gateway ?? '-'} dev ${route.dev ?? '-'} metric ${route.metric ?? '-'} ${route.protocol ?? 'boot'}`).sort(),
});

describe('routes', () => {
  const result = scenario<{ added: Snapshot<RouteInfo, IpRoute>; deleted: Snapshot<RouteInfo, IpRoute>; refusals: Record<string, ErrorReport | null> }>('routes');

  it('default and prefix routes, through a gateway and/or out of a link, IPv4 and IPv6, as ip sees them', () => {
    const { ours, ip } = routeLines(result.added);
    expect(ours).toEqual(ip);
    expect(ours).toEqual(
      expect.arrayContaining([
        'default via 192.168.10.1 dev r0 metric - boot',
        '10.9.0.0/16 via - dev r0 metric - boot',
        '10.10.0.0/16 via 192.168.10.254 dev r0 metric 50 boot',
        'default via fd00::1 dev r0 metric 1024 boot',
        'fd01::/64 via - dev r0 metric 1024 boot',
      ]),
    );
  });

  it('deleted, as ip sees them', () => {
    const { ours, ip } = routeLines(result.deleted);
    expect(ours).toEqual(ip);
    expect(ours.filter((line) => line.startsWith('default via 192') || line.startsWith('10.10.') || line.startsWith('fd01:'))).toEqual([]);
    expect(ours).toContain('10.9.0.0/16 via - dev r0 metric - boot');
  });

  it('refusals', () => {
    expect(result.refusals.again?.code).toBe('EEXIST');
    expect(result.refusals.absent?.message).toBe('RTM_DELROUTE(destination="10.99.0.0/16", link="r0"): ESRCH (No such process)');
    expect(result.refusals.unreachable?.message).toBe('RTM_NEWROUTE(destination="10.11.0.0/16", gateway="172.16.0.1"): ENETUNREACH (Network is unreachable); the kernel says "Nexthop has invalid gateway"');
    expect(result.refusals.hostBits?.name).toBe('TypeError');
  });
});
