// What validate finds in a `network` section: addresses, prefixes, gateways and their family, two entries for one
// MAC, each at its line:column.
import { describe, expect, it } from 'vitest';
import { validate } from './validate-helpers';

const handoff = 'postSwitch:\n  handoff: {mode: none}\n';
const network = (ethernet: string): string => `network:\n  ethernets:\n    eth0:\n${ethernet}${handoff}`;

/** The diagnostics as `code pointer line:column`, for compact assertions. */
const placed = (text: string): string[] => validate(text).diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.pointer} ${diagnostic.line}:${diagnostic.column}`);
const messages = (text: string): string[] => validate(text).diagnostics.map((diagnostic) => diagnostic.message);

describe('a network config', () => {
  it('in netplan shape is valid', () => {
    const text = `network:
  hostname: guest1
  waitOnline: 3s
  ethernets:
    eth0:
      addresses: ["192.168.10.2/24", "fd00::2/64"]
      routes: [{to: default, via: 192.168.10.1}, {to: "fd01::/64", via: "fd00::1"}, {to: 10.9.0.0/16, via: 192.168.10.254, metric: 5}]
      nameservers: {addresses: [192.168.10.1], search: [example.org]}
      mtu: 1500
    lan:
      match: {macaddress: "52:54:00:12:34:56"}
      addresses: [10.0.0.2/8]
${handoff}`;
    expect(validate(text).diagnostics).toEqual([]);
  });

  it('is no longer reserved', () => {
    expect(placed(`network: {}\n${handoff}`)).toEqual([]);
  });

  it('refuses addresses that do not parse or have no or a wrong prefix length', () => {
    const text = network('      addresses: [192.168.10.256/24, 10.0.0.1, "fd00::2/129", 010.0.0.1/8]\n');
    expect(placed(text)).toEqual(['invalid-address /network/ethernets/eth0/addresses/0 4:19', 'invalid-address /network/ethernets/eth0/addresses/1 4:38', 'invalid-address /network/ethernets/eth0/addresses/2 4:48', 'invalid-address /network/ethernets/eth0/addresses/3 4:63']);
    expect(messages(text)[1]).toContain('has no prefix length: write it as 10.0.0.1/24');
    expect(messages(text)[2]).toContain('the prefix length must be 0 to 128');
  });

  it('refuses gateways that do not parse, are of the other family, or are on no subnet of the interface', () => {
    const text = network('      addresses: [192.168.10.2/24]\n      routes:\n        - {to: default, via: 192.168.10.x}\n        - {to: 10.0.0.0/8, via: "fd00::1"}\n        - {to: default, via: 192.168.11.1}\n        - {to: 10.1.0.1/16, via: 192.168.10.1}\n');
    expect(placed(text)).toEqual([
      'invalid-address /network/ethernets/eth0/routes/0/via 6:30',
      'invalid-address /network/ethernets/eth0/routes/1/to 7:16',
      'invalid-address /network/ethernets/eth0/routes/2/via 8:30',
      'invalid-address /network/ethernets/eth0/routes/3/to 9:16',
    ]);
    const [bad, family, subnet, hostBits] = messages(text);
    expect(bad).toContain('"192.168.10.x" is not an IPv4 or IPv6 address');
    expect(family).toContain('both must be of one family');
    expect(subnet).toBe('gateway 192.168.11.1 is on no subnet of eth0 (its IPv4 addresses are 192.168.10.2/24): the kernel refuses such a route with ENETUNREACH');
    expect(hostBits).toContain('write 10.1.0.0/16');
  });

  it('says a gateway of a family the interface has no address of cannot be reached', () => {
    expect(messages(network('      addresses: [192.168.10.2/24]\n      routes: [{to: "::/0", via: "fd00::1"}]\n'))).toEqual(['gateway fd00::1 is on no subnet of eth0 (it has no IPv6 address): the kernel refuses such a route with ENETUNREACH']);
  });

  it('refuses nameservers that are not addresses, and warns beyond three', () => {
    expect(placed(network('      nameservers: {addresses: [dns.example.org]}\n'))).toEqual(['invalid-address /network/ethernets/eth0/nameservers/addresses/0 4:33']);
    const four = validate(network('      nameservers: {addresses: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]}\n')).diagnostics;
    expect(four.map((diagnostic) => `${diagnostic.severity} ${diagnostic.pointer}`)).toEqual(['warning /network/ethernets/eth0/nameservers/addresses/3']);
  });

  it('refuses two entries that match one MAC, whatever its case', () => {
    const text = `network:\n  ethernets:\n    a: {match: {macaddress: "52:54:00:12:34:56"}}\n    b: {match: {macaddress: "52:54:00:12:34:56"}}\n    c: {match: {macaddress: "52:54:00:12:34:5A"}}\n    d: {match: {macaddress: "52:54:00:12:34:5a"}}\n${handoff}`;
    expect(placed(text)).toEqual(['duplicate-interface /network/ethernets/b/match/macaddress 4:29', 'duplicate-interface /network/ethernets/d/match/macaddress 6:29']);
    expect(messages(text)[0]).toBe('b matches MAC 52:54:00:12:34:56, as a does: one interface would be configured twice');
  });

  it('refuses an interface name the kernel would not take, and an MTU below IPv4\'s minimum', () => {
    const long = `network:\n  ethernets:\n    averyveryverylongname0: {}\n${handoff}`;
    expect(placed(long)).toEqual(['invalid-value /network/ethernets/averyveryverylongname0 3:5']);
    expect(messages(long)[0]).toBe('invalid name `averyveryverylongname0` in `ethernets`: must be an interface name of 1 to 15 characters without "/", ":" or spaces (the kernel\'s limit), or a label that long');
    expect(messages(`network: {hostname: "bad_name"}\n${handoff}`)[0]).toContain('must be a host name of letters, digits and "-"');
    expect(placed(network('      mtu: 60\n'))).toEqual(['invalid-value /network/ethernets/eth0/mtu 4:12']);
  });

  it('takes dhcp4, and an IPv4 gateway on the subnet DHCP will give', () => {
    expect(placed(network('      dhcp4: true\n      routes: [{to: 10.9.0.0/16, via: 10.0.2.1}]\n'))).toEqual([]);
    // IPv6 does not come from DHCPv4: its gateway still needs an address.
    expect(placed(network('      dhcp4: true\n      routes: [{to: "::/0", via: "fd00::1"}]\n'))).toEqual(['invalid-address /network/ethernets/eth0/routes/0/via 5:34']);
  });

  it('takes interface names as data: `constructor` and `toString` are interfaces like any other', () => {
    expect(validate(`network:\n  ethernets:\n    constructor: {addresses: [10.0.0.2/8]}\n    toString: {match: {macaddress: "02:00:00:00:00:01"}}\n${handoff}`).diagnostics).toEqual([]);
  });
});
