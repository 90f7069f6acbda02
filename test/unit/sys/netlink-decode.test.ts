// The kernel's answers read back: dumps captured from a real kernel (test/fixtures/netlink/capture.ts says how)
// of a namespace holding lo, a bridge br0 (02:00:00:00:00:10) and a veth pair v0 (02:00:00:00:00:01, in br0) –
// v1 (02:00:00:00:00:02, down), addresses 192.168.10.2/24 on br0 and fd00::2/64 on v1, a default route via
// 192.168.10.1; and the refusal of a VLAN by a kernel without 8021q.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAddress } from '../../../src/sys/netlink/address-messages';
import { NLMSG_DONE, NLMSG_ERROR, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE } from '../../../src/sys/netlink/constants';
import { decodeAttributes, decodeMessages, decodeStatus, type NetlinkMessage } from '../../../src/sys/netlink/decode';
import { decodeLink } from '../../../src/sys/netlink/link-messages';
import { decodeRoute } from '../../../src/sys/netlink/route-messages';

const fixtures = join(import.meta.dirname, '../../fixtures/netlink');

/** Every message of a captured answer, datagram after datagram. */
function captured(name: string): NetlinkMessage[] {
  return readFileSync(join(fixtures, name), 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => decodeMessages(Uint8Array.from(Buffer.from(line, 'hex'))));
}

describe('a captured link dump', () => {
  const messages = captured('link-dump.hex');

  it('ends in NLMSG_DONE with status 0', () => {
    const last = messages.at(-1)!;
    expect(last.type).toBe(NLMSG_DONE);
    expect(decodeStatus(last, true).errno).toBe(0);
  });

  it('describes each link: name, MAC, MTU, flags, carrier, kind, master, peer', () => {
    const links = messages.filter((message) => message.type === RTM_NEWLINK).map(decodeLink);
    expect(links.map((link) => link.name)).toEqual(['lo', 'br0', 'v1', 'v0']);
    const [lo, br0, v1, v0] = links;
    expect(lo).toMatchObject({ index: 1, mac: '00:00:00:00:00:00', mtu: 65536, up: true, lowerUp: true, carrier: true, kind: undefined, masterIndex: undefined, parentIndex: undefined });
    expect(br0).toMatchObject({ index: 2, mac: '02:00:00:00:00:10', mtu: 1500, up: true, kind: 'bridge', masterIndex: undefined });
    // v1 is down, so v0 has no carrier: its layer 1 is the peer.
    expect(v1).toMatchObject({ index: 3, mac: '02:00:00:00:00:02', up: false, lowerUp: false, operState: 'down', kind: 'veth', parentIndex: 4, masterIndex: undefined });
    expect(v0).toMatchObject({ index: 4, mac: '02:00:00:00:00:01', up: true, lowerUp: false, carrier: false, operState: 'lowerlayerdown', kind: 'veth', parentIndex: 3, masterIndex: 2 });
  });
});

describe('a captured address dump', () => {
  it('gives each IPv4 and IPv6 address with its link index, prefix length and scope', () => {
    const addresses = captured('address-dump.hex').filter((message) => message.type === RTM_NEWADDR).map(decodeAddress);
    expect(addresses.map((address) => address && `${address.index} ${address.family} ${address.address}/${address.prefixLength} ${address.scope} ${address.label ?? '-'}`)).toEqual([
      '1 inet 127.0.0.1/8 host lo',
      '2 inet 192.168.10.2/24 global br0',
      '1 inet6 ::1/128 host -',
      '3 inet6 fd00::2/64 global -',
    ]);
  });
});

describe('a captured route dump', () => {
  it('gives the main table\'s routes with gateway, link, protocol and scope, and the local table\'s too', () => {
    const routes = captured('route-dump.hex').filter((message) => message.type === RTM_NEWROUTE).map(decodeRoute);
    const main = routes.filter((route) => route?.table === 254);
    expect(main).toEqual([
      { family: 'inet', destination: 'default', gateway: '192.168.10.1', linkIndex: 2, table: 254, protocol: 3, scope: 'global', type: 1, metric: undefined, preferredSource: undefined },
      { family: 'inet', destination: '192.168.10.0/24', gateway: undefined, linkIndex: 2, table: 254, protocol: 2, scope: 'link', type: 1, metric: undefined, preferredSource: '192.168.10.2' },
    ]);
    // The local table (255) holds the host's own addresses as type local (2).
    expect(routes.filter((route) => route?.table === 255 && route.type === 2).map((route) => route?.destination)).toEqual(expect.arrayContaining(['127.0.0.1/32', '192.168.10.2/32', '::1/128']));
  });
});

describe('a refusal', () => {
  it('carries the errno, and with NETLINK_EXT_ACK the kernel\'s own words after the capped request', () => {
    const [error] = captured('vlan-refused.hex');
    expect(error?.type).toBe(NLMSG_ERROR);
    expect(decodeStatus(error!)).toEqual({ errno: 95, kernelMessage: 'Unknown device type', offset: undefined });
  });
});

describe('malformed input', () => {
  it('is an error naming where, never a guess', () => {
    const message = Buffer.from(readFileSync(join(fixtures, 'vlan-refused.hex'), 'utf8').trim(), 'hex');
    expect(() => decodeMessages(Uint8Array.from(message.subarray(0, 40)))).toThrow('netlink: a message at byte 0 says it is 60 bytes long, but 40 are left');
    expect(() => decodeMessages(Uint8Array.from([...message, 1, 2, 3, 4]))).toThrow('4 bytes after the last message');
    expect(() => decodeAttributes(Uint8Array.of(9, 0, 3, 0, 0x61))).toThrow('an attribute at byte 0 says it is 9 bytes long, but 5 are left');
    expect(decodeAttributes(Uint8Array.of(5, 0, 0x12, 0x80, 0x61, 0, 0, 0))).toEqual([{ type: 18, nested: true, payload: Uint8Array.of(0x61) }]);
  });
});
