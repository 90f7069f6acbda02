// The kernel's ip= argument in nfsroot.rst's forms, malformed ones, and what it makes of the config's network.
import { describe, expect, it } from 'vitest';
import { parseCmdline } from '../../../src/boot/cmdline';
import { IP_OFF, parseIpArgument, type IpArgument } from '../../../src/net/ip-argument';
import { networkFromIp } from '../../../src/net/ip-network';

// The fields of an argument that is not ip=off.
function fields(value: string): IpArgument {
  const parsed = parseIpArgument(value);
  if (parsed === IP_OFF) throw new Error(`ip=${value} is off`);
  return parsed;
}

describe('ip=', () => {
  it('reads every field of the static form', () => {
    expect(parseIpArgument('10.0.2.16:10.0.2.4:10.0.2.2:255.255.255.0:guest1:eth0:off:10.0.2.3:10.0.2.5:10.0.2.6')).toEqual({
      autoconf: 'static',
      address: '10.0.2.16/24',
      server: '10.0.2.4',
      gateway: '10.0.2.2',
      hostname: 'guest1',
      device: 'eth0',
      nameservers: ['10.0.2.3', '10.0.2.5'],
    });
  });

  it('leaves empty fields out, derives a classful prefix without a netmask, and keeps the hostname before its NIS domain', () => {
    expect(parseIpArgument('10.1.2.3::::box.nis.example:eth1:none')).toMatchObject({ autoconf: 'static', address: '10.1.2.3/8', gateway: undefined, hostname: 'box', nameservers: [] });
    expect(fields('172.16.0.9:::::eth0:off').address).toBe('172.16.0.9/16');
    expect(fields('192.168.1.9:::::eth0:off').address).toBe('192.168.1.9/24');
    expect(fields('192.168.1.9:::255.255.255.255::eth0').address).toBe('192.168.1.9/32');
  });

  it('configures statically with a client address and an empty, on or any autoconf, as the kernel does; dhcp asks DHCP', () => {
    expect(fields('10.0.2.16::10.0.2.2:255.255.255.0::eth0').autoconf).toBe('static');
    expect(fields('10.0.2.16::::guest:eth0:any').autoconf).toBe('static');
    expect(parseIpArgument(':::::eth0:dhcp')).toMatchObject({ autoconf: 'dhcp', address: undefined, device: 'eth0' });
    expect(parseIpArgument('::::guest1:eth0:dhcp,1,guest1')).toMatchObject({ autoconf: 'dhcp', hostname: 'guest1' });
  });

  it('is off alone as off or none', () => {
    expect(parseIpArgument('off')).toBe(IP_OFF);
    expect(parseIpArgument('none')).toBe(IP_OFF);
  });

  it('refuses what it cannot use, naming the field', () => {
    expect(() => parseIpArgument('dhcp')).toThrow('ip=dhcp names no device: bootstrap does not pick a card; write ip=:::::eth0:dhcp');
    expect(() => parseIpArgument('bootp')).toThrow('bootp, rarp and both are not supported');
    expect(() => parseIpArgument('10.0.2.16::10.0.2.2:255.255.255.0:guest1::off')).toThrow('names no device (the sixth field)');
    expect(() => parseIpArgument('10.0.2.300:::::eth0:off')).toThrow('the client address "10.0.2.300" is not an IPv4 address');
    expect(() => parseIpArgument('fd00::2:::::eth0:off')).toThrow('is not an IPv4 address');
    expect(() => parseIpArgument('10.0.2.16::10.0.2.2:255.0.255.0::eth0:off')).toThrow('the netmask 255.0.255.0 has a zero bit before a one bit');
    expect(() => parseIpArgument('10.0.2.16::10.0.2.2:24::eth0:off')).toThrow('the netmask "24" is not an IPv4 netmask');
    expect(() => parseIpArgument(':::::eth0:off')).toThrow('needs a client address in the first field');
    expect(() => parseIpArgument('10.0.2.16:::::eth0:rarp')).toThrow('"rarp"');
    expect(() => parseIpArgument('10.0.2.16:::::a/b:off')).toThrow('the device "a/b" is not an interface name');
    expect(() => parseIpArgument('1:2:3:4:5:6:7:8:9:10:11')).toThrow('11 fields, at most 10');
  });

  it('on the command line: the last one counts, nfsaddrs is its old name, one that cannot be used is a warning', () => {
    expect(parseCmdline('ip=10.0.2.9:::::eth0:off ip=10.0.2.16:::::eth1:off').ip).toMatchObject({ address: '10.0.2.16/8', device: 'eth1' });
    expect(parseCmdline('nfsaddrs=10.0.2.16:::::eth0:off').ip?.device).toBe('eth0');
    expect(parseCmdline('ip=off').ip).toBeUndefined();
    expect(parseCmdline('ip=10.0.2.16::::::off')).toMatchObject({ ip: undefined, warnings: ['ignoring ip=10.0.2.16::::::off names no device (the sixth field): bootstrap does not pick a card'] });
  });

  it('takes the place of the config\'s interfaces and hostname, keeping waitOnline', () => {
    const ip = parseIpArgument('10.0.2.16::10.0.2.2:255.255.255.0:guest1:eth0:off:10.0.2.3');
    if (ip === IP_OFF) throw new Error('not off');
    expect(networkFromIp(ip, { hostname: 'configured', waitOnline: '3s', ethernets: { eth1: { dhcp4: false, addresses: ['192.168.0.2/24'] } } })).toEqual({
      hostname: 'guest1',
      waitOnline: '3s',
      ethernets: { eth0: { dhcp4: false, addresses: ['10.0.2.16/24'], routes: [{ to: 'default', via: '10.0.2.2' }], nameservers: { addresses: ['10.0.2.3'] } } },
    });
    const bare = parseIpArgument('10.0.2.16:::::eth0:off');
    if (bare === IP_OFF) throw new Error('not off');
    expect(networkFromIp(bare, undefined)).toEqual({ waitOnline: '10s', ethernets: { eth0: { dhcp4: false, addresses: ['10.0.2.16/8'] } } });
  });
});
