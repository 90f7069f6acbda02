// DHCPv4 messages: a DISCOVER and REQUEST as the wire has them, an OFFER built byte by byte read back into a lease,
// and bytes that are not a message.
import { describe, expect, it } from 'vitest';
import { clientMessage, DhcpLeaseError, isReplyTo, leaseOf, messageType } from '../../../src/net/dhcp/lease';
import { decodeDhcp, DhcpFormatError, encodeDhcp } from '../../../src/net/dhcp/message';

const mac = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);

/** An OFFER as QEMU's user network sends one, written field by field: 10.0.2.15 from 10.0.2.2. */
function offer(options: number[], xid = 0x01020304): Uint8Array {
  const bytes = new Uint8Array(240 + options.length);
  bytes.set([2, 1, 6, 0], 0);
  bytes.set([(xid >>> 24) & 0xff, (xid >>> 16) & 0xff, (xid >>> 8) & 0xff, xid & 0xff], 4);
  bytes.set([0x80, 0], 10);
  bytes.set([10, 0, 2, 15], 16);
  bytes.set([10, 0, 2, 2], 20);
  bytes.set(mac, 28);
  bytes.set([99, 130, 83, 99], 236);
  bytes.set(options, 240);
  return bytes;
}

const qemuOptions = [53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 0x51, 0x80, 0, 0, 255];

describe('DHCP messages', () => {
  it('a DISCOVER: BOOTREQUEST from our MAC, broadcast flag, the magic cookie, option 53 first, padded to 300 bytes', () => {
    const bytes = encodeDhcp(clientMessage({ type: 'discover', xid: 0xdeadbeef, mac, secs: 3 }));
    expect(bytes.length).toBe(300);
    expect(Array.from(bytes.subarray(0, 12))).toEqual([1, 1, 6, 0, 0xde, 0xad, 0xbe, 0xef, 0, 3, 0x80, 0]);
    expect(Array.from(bytes.subarray(28, 34))).toEqual(Array.from(mac));
    expect(Array.from(bytes.subarray(236, 243))).toEqual([99, 130, 83, 99, 53, 1, 1]);
    // The parameter request list: subnet, router, DNS, domain, MTU, lease time.
    expect(Array.from(bytes.subarray(243, 251))).toEqual([55, 6, 1, 3, 6, 15, 26, 51]);
  });

  it('a REQUEST names the offered address (50) and the server (54)', () => {
    const message = decodeDhcp(encodeDhcp(clientMessage({ type: 'request', xid: 7, mac, secs: 0, address: '10.0.2.15', serverId: '10.0.2.2', hostname: 'guest1' })));
    expect(messageType(message)).toBe('request');
    expect(Array.from(message.options.get(50) ?? [])).toEqual([10, 0, 2, 15]);
    expect(Array.from(message.options.get(54) ?? [])).toEqual([10, 0, 2, 2]);
    expect(new TextDecoder().decode(message.options.get(12))).toBe('guest1');
    expect(message).toMatchObject({ op: 1, xid: 7, broadcast: true, ciaddr: '0.0.0.0' });
  });

  it('reads an OFFER into a lease: address with its prefix, router, DNS, lease time, server', () => {
    const message = decodeDhcp(offer(qemuOptions));
    expect(isReplyTo(message, 0x01020304, mac, 'offer')).toBe(true);
    expect(isReplyTo(message, 0x01020305, mac, 'offer')).toBe(false);
    expect(isReplyTo(message, 0x01020304, mac, 'ack')).toBe(false);
    expect(isReplyTo(message, 0x01020304, Uint8Array.of(2, 0, 0, 0, 0, 1), 'offer')).toBe(false);
    expect(leaseOf(message)).toEqual({ address: '10.0.2.15/24', routers: ['10.0.2.2'], dns: ['10.0.2.3'], domain: undefined, mtu: undefined, leaseSeconds: 86400, serverId: '10.0.2.2' });
  });

  it('reads the domain (without a trailing NUL), an MTU, several servers, pads, and an option split in two (RFC 3396)', () => {
    const options = [53, 1, 5, 0, 0, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 0, 0, 15, 4, 108, 97, 110, 0, 26, 2, 5, 220, 6, 4, 10, 0, 2, 3, 6, 4, 10, 0, 2, 4, 255];
    expect(leaseOf(decodeDhcp(offer(options)))).toMatchObject({ address: '10.0.2.15/16', domain: 'lan', mtu: 1500, dns: ['10.0.2.3', '10.0.2.4'], leaseSeconds: undefined });
  });

  it('refuses answers that make no lease', () => {
    expect(() => leaseOf(decodeDhcp(offer([53, 1, 2, 1, 4, 255, 255, 255, 0, 255])))).toThrow(new DhcpLeaseError('the answer has no server identifier (option 54)'));
    expect(() => leaseOf(decodeDhcp(offer([53, 1, 2, 54, 4, 10, 0, 2, 2, 255])))).toThrow('the answer for 10.0.2.15 has no subnet mask (option 1)');
    expect(() => leaseOf(decodeDhcp(offer([53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 0, 255, 0, 255])))).toThrow('the subnet mask 255.0.255.0 has a zero bit before a one bit');
  });

  it('refuses bytes that are not a DHCP message', () => {
    expect(() => decodeDhcp(new Uint8Array(100))).toThrow(new DhcpFormatError('100 bytes: a DHCP message has at least 240'));
    const noCookie = offer(qemuOptions);
    noCookie[236] = 0;
    expect(() => decodeDhcp(noCookie)).toThrow('no DHCP magic cookie');
    expect(() => decodeDhcp(offer([53, 1, 2]))).toThrow('the options have no end option (255)');
    expect(() => decodeDhcp(offer([53, 9, 2, 255]))).toThrow('option 53 runs past the end of the message');
    const badOp = offer(qemuOptions);
    badOp[0] = 3;
    expect(() => decodeDhcp(badOp)).toThrow('op 3 is neither BOOTREQUEST (1) nor BOOTREPLY (2)');
  });
});
