// What validate finds in a subhost config beyond the schema: namespaces, idMap, sections a subhost replaces, its
// upper layer, share targets and paths in /proc or /sys, each at its line:column.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VALIDATION_CODES } from '../../../src/config/diagnostic';
import { validate } from './validate-helpers';

const handoff = 'postSwitch:\n  handoff: {mode: none}\n';
const subhost = (lines: string): string => `subhost:\n  base: /srv/web\n${lines}${handoff}`;

/** The diagnostics as `code pointer line:column`, for compact assertions. */
const placed = (text: string): string[] => validate(text).diagnostics.map((diagnostic) => `${diagnostic.code} ${diagnostic.pointer} ${diagnostic.line}:${diagnostic.column}`);
const messages = (text: string): string[] => validate(text).diagnostics.map((diagnostic) => diagnostic.message);

describe('a subhost config', () => {
  it('with only a base and a none handoff is valid', () => {
    expect(validate(subhost('')).diagnostics).toEqual([]);
    expect(validate(`subhost:\n  base: .\n  root: {lower: [base, /], upper: up, ramSize: 50%}\n  share: [{source: /srv/data}, {source: /etc/ssl, target: /ssl, readOnly: true}]\n  log: console.log\nnamespaces: [mount, pid, net, uts, ipc, user]\nidMap: {users: "0 100000 65536", groups: ["0 100000 1000", {internal: 1000, external: 101000, size: 64536}]}\n${handoff}`).diagnostics).toEqual([]);
  });

  it('needs the mount and pid namespaces when it lists namespaces', () => {
    const text = `namespaces: [net, uts]\n${subhost('')}`;
    expect(placed(text)).toEqual(['subhost-namespaces /namespaces 1:13']);
    expect(messages(text)[0]).toMatch(/add mount and pid$/);
    expect(placed(`namespaces: [pid, net]\n${subhost('')}`)).toEqual(['subhost-namespaces /namespaces 1:13']);
    // Outside a subhost, namespaces are whatever the config wants.
    expect(placed(`namespaces: [net]\n${handoff}`)).toEqual([]);
  });

  it('needs idMap for the user namespace, at the user item', () => {
    const text = `namespaces: [mount, pid, user]\n${subhost('')}`;
    expect(placed(text)).toEqual(['id-map-required /namespaces/2 1:26']);
    expect(placed(`namespaces:\n  - user\n${handoff}`)).toEqual(['id-map-required /namespaces/0 2:5']);
  });

  it('refuses idMap without the user namespace, naming a subhost\'s default list', () => {
    const text = `${subhost('')}idMap: {users: "0 100000 65536", groups: "0 100000 65536"}\n`;
    expect(placed(text)).toEqual(['id-map-unused /idMap 5:1']);
    expect(messages(text)[0]).toContain("a subhost's default namespaces (mount, pid, net, uts, ipc) have no `user`");
    expect(placed(`idMap: {users: "0 1", groups: "0 1"}\nnamespaces: [net]\n${handoff}`)).toEqual(['id-map-unused /idMap 1:1']);
  });

  it('refuses id ranges that overlap inside or on the host, and ranges past the largest id', () => {
    const ranges = (users: string): string => `namespaces: [mount, pid, user]\nidMap:\n  users: ${users}\n  groups: "0 100000 65536"\n${subhost('')}`;
    expect(placed(ranges('["0 100000 65536", "1000 300000 1"]'))).toEqual(['id-map-overlap /idMap/users 3:10']);
    expect(messages(ranges('["0 100000 65536", "1000 300000 1"]'))[0]).toBe('idMap.users: ranges 0 100000 65536 and 1000 300000 1 overlap inside the namespace; the kernel refuses such a map');
    expect(placed(ranges('["0 100000 10", {internal: 10, external: 100005}]'))).toEqual(['id-map-overlap /idMap/users 3:10']);
    expect(messages(ranges('["0 100000 10", {internal: 10, external: 100005}]'))[0]).toContain('overlap on the host');
    expect(placed(ranges('["0 100000 1", "1 4294967290 100"]'))).toEqual(['invalid-value /idMap/users/1 3:25']);
    expect(placed(ranges('"4294967290 0 100"'))).toEqual(['invalid-value /idMap/users 3:10']);
    expect(placed(ranges('["0 100000 10", "10 100010 10"]'))).toEqual([]);
  });

  it('refuses preSwitch and switchRoot, saying what to use instead', () => {
    const text = `preSwitch:\n  hooks: ["true"]\nswitchRoot:\n  rootFileSystem: {type: virtiofs, tag: rootfs}\n${subhost('')}`;
    expect(placed(text)).toEqual(['not-for-subhost /preSwitch 1:1', 'not-for-subhost /switchRoot 3:1']);
    expect(messages(text)[0]).toContain('`subhost.premount`');
    expect(messages(text)[1]).toContain('`subhost.root`');
  });

  it('refuses an image and a ramSize together: both would hold upper', () => {
    expect(placed(subhost('  root:\n    image: web.img\n    ramSize: 1g\n'))).toEqual(['subhost-upper-conflict /subhost/root/ramSize 5:5']);
  });

  it('refuses two shares on one target, the default target being the source', () => {
    const text = subhost('  share:\n    - source: /srv/data\n    - {source: /srv/other, target: /srv/data/}\n    - {source: /srv/data, target: /data}\n');
    expect(placed(text)).toEqual(['duplicate-share-target /subhost/share/1/target 5:36']);
    expect(messages(text)[0]).toBe('/srv/data is already where item 1 of `share` appears in the subhost; a second bind there would hide the first');
    expect(placed(subhost('  share: [{source: /a, target: /x}, {source: /x}]\n'))).toEqual(['duplicate-share-target /subhost/share/1/source 3:46']);
  });

  it('refuses paths in /proc or /sys: root layers, the log, shares, and the base once', () => {
    const text = subhost('  root: {live: /proc/live, upper: ../../sys/up, lower: [/, /sys/fs]}\n  log: /proc/1/fd/1\n  share: [{source: /proc/1/root, target: /x}, {source: /srv, target: /sys/kernel}]\n');
    expect(placed(text)).toEqual([
      'virtual-filesystem-path /subhost/root/lower/1 3:60',
      'virtual-filesystem-path /subhost/root/upper 3:35',
      'virtual-filesystem-path /subhost/root/live 3:16',
      'virtual-filesystem-path /subhost/log 4:8',
      'virtual-filesystem-path /subhost/share/0/source 5:20',
      'virtual-filesystem-path /subhost/share/1/target 5:70',
    ].sort(byPlace));
    expect(messages(text)).toContain('`live` /proc/live is in /proc, a kernel filesystem (the host\'s, or the subhost\'s own, mounted there by its PID 1): nothing of a subhost can be kept or bound there');
    // /procfs is not /proc; a relative base cannot be placed by validate, so paths under it are not judged.
    expect(placed(subhost('  root: {live: /procfs/live}\n'))).toEqual([]);
    expect(placed(`subhost:\n  base: ../..\n  root: {live: proc/x}\n${handoff}`)).toEqual([]);
    expect(placed(`subhost:\n  base: /sys/x\n  root: {live: live}\n${handoff}`)).toEqual(['virtual-filesystem-path /subhost/base 2:9']);
  });
});

function byPlace(a: string, b: string): number {
  const at = (text: string): number[] => text.split(' ')[2]!.split(':').map(Number);
  const [la, ca] = at(a);
  const [lb, cb] = at(b);
  return la! - lb! || ca! - cb!;
}

describe('README', () => {
  it('lists every code validate reports', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const listed = /Codes: ([^.]*)\./.exec(readme)?.[1] ?? '';
    const codes = [...listed.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]);
    expect(codes).toEqual([...VALIDATION_CODES]);
  });
});

describe('premount and postmount', () => {
  it('are checked as hooks are: a program from PATH warns, a relative path with a slash is an error', () => {
    const text = subhost('  premount: [[losetup, -f, web.img]]\n  postmount:\n    - command: ./after\n');
    expect(placed(text)).toEqual(['relative-program /subhost/premount/0/0 3:15', 'relative-program /subhost/postmount/0/command 5:16']);
    expect(validate(text).diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(['warning', 'error']);
  });
});

describe('cables', () => {
  it('a cable, a bridge, a MAC and VLANs after a cable are valid', () => {
    expect(placed(subhost('  cables: [{}, {bridge: br0, mac: "02:00:00:00:00:01"}, {vlan: 302}, {vlan: 4094}]\n'))).toEqual([]);
  });

  it('the schema takes a unicast MAC of six hex pairs, an interface name for a bridge, a VLAN id from 1 to 4095, nothing else', () => {
    expect(placed(subhost('  cables: [{mac: "01:00:5e:00:00:01"}, {mac: "02:00:00:00:00"}, {bridge: "br 0"}, {vlan: 0}, {vlan: 4096}, {port: 1}]\n'))).toEqual([
      'invalid-value /subhost/cables/0/mac 3:18',
      'invalid-value /subhost/cables/1/mac 3:46',
      'invalid-value /subhost/cables/2/bridge 3:74',
      'invalid-value /subhost/cables/3/vlan 3:90',
      'invalid-value /subhost/cables/4/vlan 3:101',
      'unknown-key /subhost/cables/5/port 3:109',
    ]);
    expect(messages(subhost('  cables: [{mac: "01:00:5e:00:00:01"}]\n'))[0]).toContain('must be a unicast MAC address: six hex pairs such as 02:00:00:00:00:01');
  });

  it("the subhost's own network configures what its cables make; another interface is a warning at its key", () => {
    const cables = '  cables: [{bridge: br0}, {vlan: 302}, {mac: "02:00:00:00:00:09"}]\n';
    const network = (lines: string): string => `${subhost(cables)}network:\n  ethernets:\n${lines}`;
    expect(placed(network('    eth0: {addresses: [10.1.0.2/24]}\n    eth2: {dhcp4: true}\n    lo: {addresses: [127.0.0.2/8]}\n    byMac: {match: {macaddress: "02:00:00:00:00:09"}}\n'))).toEqual([]);
    const text = network('    eth1: {addresses: [10.1.1.2/24]}\n    other: {match: {macaddress: "02:00:00:00:00:0a"}}\n');
    expect(placed(text)).toEqual(['subhost-cable /network/ethernets/eth1 8:5', 'subhost-cable /network/ethernets/other 9:5']);
    expect(validate(text).diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(['warning', 'warning']);
    expect(messages(text)[0]).toBe('network.ethernets.eth1 configures eth1 in the subhost, but its cables make eth0, eth2: the network step would wait waitOnline for it and fail the boot');
    expect(messages(`${subhost('')}network:\n  ethernets:\n    eth0: {dhcp4: true}\n`)[0]).toMatch(/but the subhost has no cables, so its network namespace has only lo/);
    // Without a network namespace of its own, the subhost sees the host's interfaces.
    expect(placed(`namespaces: [mount, pid]\n${subhost('')}network:\n  ethernets:\n    eth0: {dhcp4: true}\n`)).toEqual([]);
  });

  it('a VLAN cable needs a cable before it, and takes no bridge or MAC; the same VLAN twice on one host end is refused', () => {
    expect(placed(subhost('  cables: [{vlan: 5}, {}, {vlan: 6, bridge: br0, mac: "02:00:00:00:00:01"}, {vlan: 6}]\n'))).toEqual([
      'subhost-cable /subhost/cables/0/vlan 3:19',
      'subhost-cable /subhost/cables/2/bridge 3:45',
      'subhost-cable /subhost/cables/2/mac 3:55',
      'subhost-cable /subhost/cables/3/vlan 3:84',
    ]);
    const words = messages(subhost('  cables: [{vlan: 5}, {}, {vlan: 6}, {vlan: 6}]\n'));
    expect(words[0]).toBe('a VLAN cable goes "on the prior host interface", the host end of a cable before it, and there is none: put a cable without vlan first');
    expect(words[1]).toBe('cables[2] already puts VLAN 6 on the host end of cables[1]');
  });

  it('VLAN 4095, in the seed\'s range but reserved by IEEE 802.1Q, is refused as Linux refuses it', () => {
    expect(placed(subhost('  cables: [{}, {vlan: 4095}]\n'))).toEqual(['subhost-cable /subhost/cables/1/vlan 3:23']);
    expect(messages(subhost('  cables: [{}, {vlan: 4095}]\n'))[0]).toBe('VLAN 4095 is reserved by IEEE 802.1Q and Linux refuses it ("8021q: Invalid VLAN id"): use 1 to 4094');
  });

  it('an all-zero MAC, and cables without the network namespace, are refused', () => {
    expect(placed(subhost('  cables: [{mac: "00:00:00:00:00:00"}]\n'))).toEqual(['subhost-cable /subhost/cables/0/mac 3:18']);
    expect(placed(`namespaces: [mount, pid]\n${subhost('  cables: [{}]\n')}`)).toEqual(['subhost-cable /subhost/cables 4:3']);
    expect(messages(`namespaces: [mount, pid]\n${subhost('  cables: [{}]\n')}`)[0]).toMatch(/has no net: add net/);
  });
});
