// Netlink requests as the kernel reads them: byte layouts written out by hand from <linux/netlink.h>,
// <linux/rtnetlink.h> and <linux/if_link.h> (little-endian, as on x86_64 and aarch64).
import { describe, expect, it } from 'vitest';
import { addressRequest } from '../../../src/sys/netlink/address-messages';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, RTM_NEWLINK } from '../../../src/sys/netlink/constants';
import { attribute, encodeMessage, nested, stringAttribute, u32Attribute } from '../../../src/sys/netlink/encode';
import { parsePrefix } from '../../../src/sys/netlink/ip-address';
import { changeLinkRequest, deleteLinkRequest, newLinkRequest } from '../../../src/sys/netlink/link-messages';
import { parseRoute, routeRequest } from '../../../src/sys/netlink/route-messages';

const hex = (parts: readonly Uint8Array[]): string => parts.map((part) => Buffer.from(part).toString('hex')).join('');
/** Expected bytes written with spaces and comments: `x('07 00 03 00 # len 7, IFLA_IFNAME')`. */
const x = (text: string): string => text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
const IFINFOMSG_ZERO = '00'.repeat(16);

describe('attributes', () => {
  it('pad each attribute to 4 bytes with zeros, the length field counting header and payload only', () => {
    expect(hex([attribute(3, Uint8Array.of(0x61))])).toBe(x('05 00 03 00  61 000000'));
    expect(hex([attribute(3, Uint8Array.of(1, 2, 3, 4))])).toBe(x('08 00 03 00  01020304'));
    expect(hex([attribute(7, new Uint8Array(0))])).toBe(x('04 00 07 00'));
    // A C string keeps its NUL: "eth0" is 5 bytes, 9 with the header, 12 with padding.
    expect(hex([stringAttribute(3, 'eth0')])).toBe(x('09 00 03 00  65 74 68 30 00  000000'));
    expect(hex([u32Attribute(4, 1500)])).toBe(x('08 00 04 00  dc 05 00 00'));
  });

  it('nest attributes under NLA_F_NESTED, the outer length covering the padded children', () => {
    expect(hex([nested(18, [stringAttribute(1, 'veth')])])).toBe(x('10 00 12 80  09 00 01 00 76 65 74 68 00 000000'));
  });

  it('refuse a payload longer than the 16-bit length can say', () => {
    expect(() => attribute(1, new Uint8Array(0xffff))).toThrow(/do not fit its 16-bit length/);
  });
});

describe('the message header', () => {
  it('is {len, type, flags, seq, pid 0}, the length without trailing padding', () => {
    const message = encodeMessage({ type: RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 0x01020304, body: [Uint8Array.of(0xaa)] });
    expect(hex([message])).toBe(x('11 00 00 00  10 00  05 00  04 03 02 01  00 00 00 00  aa 000000'));
  });
});

describe('link requests', () => {
  it('a veth pair whose peer is created in another namespace (IFLA_LINKINFO > IFLA_INFO_DATA > VETH_INFO_PEER > IFLA_NET_NS_FD)', () => {
    const request = newLinkRequest({ kind: 'veth', name: 'h0', peer: { name: 'eth0', netns: { fd: 7 } } });
    expect(request.flags).toBe(NLM_F_CREATE | NLM_F_EXCL);
    expect(hex(request.body)).toBe(
      x(`${IFINFOMSG_ZERO}
         07 00 03 00  68 30 00 00            # IFLA_IFNAME "h0"
         3c 00 12 80                         # IFLA_LINKINFO, nested, 60 bytes
           09 00 01 00  76 65 74 68 00 000000  # IFLA_INFO_KIND "veth"
           2c 00 02 80                       # IFLA_INFO_DATA, nested, 44 bytes
             28 00 01 00                     # VETH_INFO_PEER, 40 bytes: an ifinfomsg, then the peer's attributes
               ${IFINFOMSG_ZERO}
               09 00 03 00  65 74 68 30 00 000000  # IFLA_IFNAME "eth0"
               08 00 1c 00  07 00 00 00      # IFLA_NET_NS_FD 7`),
    );
  });

  it('a veth pair with both MACs, the peer in the namespace of a process (IFLA_NET_NS_PID)', () => {
    const request = newLinkRequest({ kind: 'veth', name: 'a', mac: '02:00:00:00:00:01', peer: { name: 'b', mac: '02:AB:00:00:00:02', netns: { pid: 1234 } } });
    const body = hex(request.body);
    expect(body).toContain(x('0a 00 01 00  02 00 00 00 00 01  0000')); // IFLA_ADDRESS of the host end
    expect(body).toContain(x('0a 00 01 00  02 ab 00 00 00 02  0000  08 00 13 00  d2 04 00 00')); // the peer's, then IFLA_NET_NS_PID 1234
  });

  it('a bridge is a kind without data', () => {
    expect(hex(newLinkRequest({ kind: 'bridge', name: 'br0' }).body)).toBe(x(`${IFINFOMSG_ZERO} 08 00 03 00 62 72 30 00  10 00 12 80 0b 00 01 00 62 72 69 64 67 65 00 00`));
  });

  it('a VLAN names its parent by IFLA_LINK and its id as a u16 IFLA_VLAN_ID, and explains EOPNOTSUPP', () => {
    const request = newLinkRequest({ kind: 'vlan', name: 'h0.302', parentIndex: 4, id: 302 });
    expect(hex(request.body)).toBe(
      x(`${IFINFOMSG_ZERO}
         0b 00 03 00  68 30 2e 33 30 32 00 00  # IFLA_IFNAME "h0.302"
         08 00 05 00  04 00 00 00              # IFLA_LINK 4
         1c 00 12 80                           # IFLA_LINKINFO
           09 00 01 00  76 6c 61 6e 00 000000  # IFLA_INFO_KIND "vlan"
           0c 00 02 80                         # IFLA_INFO_DATA
             06 00 01 00  2e 01 0000           # IFLA_VLAN_ID 302`),
    );
    expect(request.hint?.(95)).toBe('the kernel has no 8021q (modprobe 8021q)');
    expect(request.hint?.(17)).toBeUndefined();
  });

  it('a change sets only what it names: IFF_UP in flags and change, IFLA_MASTER, IFLA_NET_NS_PID', () => {
    expect(hex(changeLinkRequest({ index: 5, up: true, masterIndex: 2 }).body)).toBe(x('00 00 0000  05000000  01000000  01000000   08 00 0a 00 02 00 00 00'));
    expect(hex(changeLinkRequest({ index: 5, up: false }).body)).toBe(x('00 00 0000  05000000  00000000  01000000'));
    // Detaching is IFLA_MASTER 0; a move names the namespace; neither touches the flags.
    expect(hex(changeLinkRequest({ index: 3, masterIndex: 0, netns: { pid: 1234 } }).body)).toBe(x('00 00 0000 03000000 00000000 00000000  08 00 0a 00 00000000  08 00 13 00 d2 04 00 00'));
    expect(hex(changeLinkRequest({ index: 3, newName: 'x1', mtu: 1400, mac: '02:00:00:00:00:09' }).body)).toBe(
      x('00 00 0000 03000000 00000000 00000000  07 00 03 00 78 31 00 00  0a 00 01 00 02 00 00 00 00 09 0000  08 00 04 00 78 05 00 00'),
    );
    expect(changeLinkRequest({ index: 3 }).flags).toBeUndefined();
  });

  it('a delete names the link', () => {
    expect(hex(deleteLinkRequest('h0').body)).toBe(x(`${IFINFOMSG_ZERO} 07 00 03 00 68 30 00 00`));
  });
});

describe('address requests', () => {
  it('IPv4: ifaddrmsg {AF_INET, 24, 0, universe, index}, IFA_LOCAL and IFA_ADDRESS', () => {
    const request = addressRequest('add', 2, parsePrefix('192.168.10.2/24'), '192.168.10.2/24');
    expect(request.flags).toBe(NLM_F_CREATE | NLM_F_EXCL);
    expect(hex(request.body)).toBe(x('02 18 00 00 02000000  08 00 02 00 c0 a8 0a 02  08 00 01 00 c0 a8 0a 02'));
  });

  it('replace with lifetimes (a DHCP lease): NLM_F_CREATE | NLM_F_REPLACE and IFA_CACHEINFO {preferred, valid, 0, 0}', () => {
    const request = addressRequest('replace', 2, parsePrefix('10.0.2.15/24'), '10.0.2.15/24', { validSeconds: 86_400, preferredSeconds: 43_200 });
    expect(request.flags).toBe(NLM_F_CREATE | NLM_F_REPLACE);
    expect(hex(request.body)).toBe(x('02 18 00 00 02000000  08 00 02 00 0a 00 02 0f  08 00 01 00 0a 00 02 0f  14 00 06 00 c0a80000 80510100 00000000 00000000'));
    expect(() => addressRequest('replace', 2, parsePrefix('10.0.2.15/24'), '', { validSeconds: 10, preferredSeconds: 20 })).toThrow(/preferred \(20s\) is longer than valid \(10s\)/);
    expect(() => addressRequest('replace', 2, parsePrefix('10.0.2.15/24'), '', { validSeconds: 2 ** 32, preferredSeconds: 0 })).toThrow(/validSeconds must be an integer from 0 to 4294967295/);
  });

  it('a loopback address is host scope; IPv6 is AF_INET6 with 16-byte addresses', () => {
    expect(hex([addressRequest('add', 1, parsePrefix('127.0.0.2/8'), '').body[0]!])).toBe(x('02 08 00 fe 01000000'));
    expect(hex(addressRequest('delete', 3, parsePrefix('fd00::2/64'), '').body)).toBe(x(`0a 40 00 00 03000000  14 00 02 00 fd00${'00'.repeat(13)}02  14 00 01 00 fd00${'00'.repeat(13)}02`));
  });
});

describe('route requests', () => {
  it('a default route through a gateway: rtmsg {AF_INET, 0, 0, 0, main, boot, universe, unicast}, RTA_GATEWAY', () => {
    const request = routeRequest('add', parseRoute('t', { destination: 'default', gateway: '192.168.10.1' }), undefined, undefined, {});
    expect(hex(request.body)).toBe(x('02 00 00 00 fe 03 00 01 00000000  08 00 05 00 c0 a8 0a 01'));
  });

  it('a prefix out of a link is link scope, with RTA_DST, RTA_OIF and RTA_PRIORITY; a delete matches any scope', () => {
    const route = parseRoute('t', { destination: '10.9.0.0/16', link: 'x' });
    expect(hex(routeRequest('add', route, 2, 100, {}).body)).toBe(x('02 10 00 00 fe 03 fd 01 00000000  08 00 01 00 0a 09 00 00  08 00 04 00 02000000  08 00 06 00 64000000'));
    expect(hex([routeRequest('delete', route, 2, undefined, {}).body[0]!])).toBe(x('02 10 00 00 fe 03 ff 01 00000000'));
  });

  it('an IPv6 default route: "default" with an IPv6 gateway, or "::/0" out of a link', () => {
    expect(hex(routeRequest('add', parseRoute('t', { destination: 'default', gateway: 'fd00::1' }), undefined, undefined, {}).body)).toBe(x(`0a 00 00 00 fe 03 00 01 00000000  14 00 05 00 fd00${'00'.repeat(13)}01`));
    expect(hex(routeRequest('add', parseRoute('t', { destination: '::/0', link: 'x' }), 3, undefined, {}).body)).toBe(x('0a 00 00 00 fe 03 00 01 00000000  08 00 04 00 03000000'));
  });

  it('refuse what the kernel would: host bits after the prefix, mixed families, no gateway nor link', () => {
    expect(() => parseRoute('addRoute', { destination: '10.9.1.0/16', link: 'x' })).toThrow('addRoute: destination 10.9.1.0/16 has bits set after its prefix length: write 10.9.0.0/16');
    expect(() => parseRoute('addRoute', { destination: '10.0.0.0/8', gateway: 'fd00::1' })).toThrow(/both must be of one family/);
    expect(() => parseRoute('addRoute', { destination: '10.0.0.0/8' })).toThrow('addRoute: route to 10.0.0.0/8 needs a gateway, a link, or both');
    expect(() => parseRoute('addRoute', { destination: '10.0.0.0', link: 'x' })).toThrow(/has no prefix length/);
    expect(() => parseRoute('addRoute', { destination: 'default', gateway: '10.0.0.1', metric: -1 })).toThrow(/metric must be an integer/);
  });
});
