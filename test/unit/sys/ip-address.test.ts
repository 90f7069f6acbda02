// IP and MAC addresses between text and bytes, formatted as inet_ntop(3) and iproute2 do.
import { describe, expect, it } from 'vitest';
import { formatIp, formatMac, parseIp, parseMac, parsePrefix } from '../../../src/sys/netlink/ip-address';

const bytes = (text: string): number[] => Array.from(parseIp(text)?.bytes ?? []);

describe('parseIp', () => {
  it('reads dotted IPv4 and every IPv6 form', () => {
    expect(bytes('192.168.10.2')).toEqual([192, 168, 10, 2]);
    expect(bytes('fd00::2')).toEqual([0xfd, 0, ...new Array<number>(13).fill(0), 2]);
    expect(bytes('::')).toEqual(new Array<number>(16).fill(0));
    expect(bytes('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(bytes('::ffff:192.0.2.1').slice(10)).toEqual([0xff, 0xff, 192, 0, 2, 1]);
    expect(bytes('FE80::A:b')).toEqual([0xfe, 0x80, ...new Array<number>(10).fill(0), 0, 0xa, 0, 0xb]);
  });

  it('refuses what is not an address, and leading zeros (octal to some tools)', () => {
    for (const text of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', 'fd00:::1', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8:9', '12345::', 'g::1', '::1.2.3', 'eth0']) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });
});

describe('formatIp', () => {
  it('writes IPv6 as inet_ntop does (RFC 5952): the longest zero run as ::, lower case, no leading zeros', () => {
    for (const text of ['fd00::2', '::', '::1', '1:2:3:4:5:6:7:8', 'fe80::a:b', '1::', '1:0:0:2::3', '1:2:0:3:4:5:6:7', '2001:db8::1:0:0:1', '::ffff:192.0.2.1', '::192.0.2.1']) {
      expect(formatIp(parseIp(text)!.bytes)).toBe(text);
    }
    expect(formatIp(parseIp('2001:0DB8:0:0:1:0:0:1')!.bytes)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('10.0.0.1')!.bytes)).toBe('10.0.0.1');
    expect(() => formatIp(new Uint8Array(5))).toThrow(/4 or 16 bytes/);
  });
});

describe('parsePrefix', () => {
  it('reads ADDRESS/LENGTH and says what is wrong otherwise', () => {
    expect(parsePrefix('192.168.10.2/24')).toEqual({ address: { family: 4, bytes: Uint8Array.of(192, 168, 10, 2) }, length: 24 });
    expect(parsePrefix('fd00::2/64').length).toBe(64);
    expect(() => parsePrefix('192.168.10.2')).toThrow('address "192.168.10.2" has no prefix length: write it as 192.168.10.2/24, say');
    expect(() => parsePrefix('192.168.10.2/33')).toThrow('the prefix length must be 0 to 32');
    expect(() => parsePrefix('fd00::2/129')).toThrow('the prefix length must be 0 to 128');
    expect(() => parsePrefix('fd00::2/064')).toThrow('0 to 128');
    expect(() => parsePrefix('eth0/24', 'addAddress: address')).toThrow('addAddress: address "eth0/24" is not an IPv4 or IPv6 address');
  });
});

describe('MAC addresses', () => {
  it('six hex pairs both ways, printed in lower case', () => {
    expect(Array.from(parseMac('02:AB:00:00:00:01'))).toEqual([2, 0xab, 0, 0, 0, 1]);
    expect(formatMac(parseMac('02:AB:00:00:00:01'))).toBe('02:ab:00:00:00:01');
    for (const text of ['02:00:00:00:00', '02-00-00-00-00-01', '2:0:0:0:0:1', '02:00:00:00:00:0g']) expect(() => parseMac(text), text).toThrow(/not a MAC address/);
  });
});
