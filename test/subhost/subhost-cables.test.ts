// Cables for real (root, this machine's kernel): overlay-boot's veth pairs between the host and subhosts, through a
// test bridge made here; their MACs, traffic over them, and what `stop` leaves (nothing), after an orderly stop,
// after SIGKILL of PID 1, and after a start that failed half-way.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, netnsNames, status, subhostDir, subhostStarter, uniqueName } from './subhost-fixture';

const { start, track } = subhostStarter();

interface IpLink {
  ifname: string;
  flags: string[];
  operstate: string;
  master?: string;
  address?: string;
  linkinfo?: { info_kind?: string; info_slave_data?: { state?: string } };
}

/** The host's links, as `ip -j -d link` shows them. */
function hostLinks(): IpLink[] {
  const run = spawnSync('ip', ['-j', '-d', 'link', 'show'], { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) throw new Error(`ip link: ${run.stderr}`);
  return JSON.parse(run.stdout) as IpLink[];
}
const hostLink = (name: string): IpLink | undefined => hostLinks().find((link) => link.ifname === name);

function ip(...args: string[]): void {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr}`);
}

/** `command` run by /bin/sh inside the subhost; fails the test with its output when it fails. */
function inside(name: string, command: string): string {
  const run = cli(['subhost', 'enter', name, '--', '/bin/sh', '-c', command]);
  expect(run.status, `${command}:\n${run.stdout}${run.stderr}`).toBe(0);
  return run.stdout;
}

/** Waits (at most 5 s) until `ready` holds for the host's link `name`; the kernel settles a port's state a little later. */
function waitForHostLink(name: string, ready: (link: IpLink) => boolean): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    const link = hostLink(name);
    if (link !== undefined && ready(link)) return;
    if (Date.now() > deadline) throw new Error(`${name} did not settle within 5 s: ${JSON.stringify(link)}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** Whether this kernel makes VLAN interfaces (8021q), tried in a throw-away network namespace. */
function kernelHasVlans(): boolean {
  return spawnSync('unshare', ['--net', 'sh', '-c', 'ip link add name a type veth peer name b && ip link add link a name a.5 type vlan id 5'], { timeout: 10_000 }).status === 0;
}

// The host's bridge for these tests: a name no one else uses, removed at the end. Only the subhosts' own
// namespaces get addresses, so nothing on the host's network changes.
const bridge = uniqueName('tbr');
beforeAll(() => {
  ip('link', 'add', 'name', bridge, 'type', 'bridge');
  ip('link', 'set', 'dev', bridge, 'up');
});
afterAll(() => {
  if (hostLink(bridge)) ip('link', 'delete', 'dev', bridge);
});

const cabled = (mac: string): string => `subhost:\n  cables: [{bridge: $BRIDGE, mac: "${mac}"}]\npostSwitch:\n  handoff: {mode: none}\n`.replace('$BRIDGE', bridge);

describe('two subhosts on one bridge', () => {
  it('reach each other over their cables, with the configured MACs; stop leaves no veth and no network namespace', () => {
    const a = subhostDir('ca', cabled('02:00:00:21:3a:01'));
    const b = subhostDir('cb', cabled('02:00:00:21:3b:02'));
    start(a.config, a.name);
    start(b.config, b.name);

    // The host ends NAME0 are the bridge's ports.
    expect(hostLink(`${a.name}0`)).toMatchObject({ master: bridge, linkinfo: { info_kind: 'veth' } });
    expect(hostLink(`${b.name}0`)).toMatchObject({ master: bridge, linkinfo: { info_kind: 'veth' } });
    expect(hostLink(`${a.name}0`)?.flags).toContain('UP');

    expect(inside(a.name, 'cat /sys/class/net/eth0/address')).toBe('02:00:00:21:3a:01\n');
    expect(inside(b.name, 'cat /sys/class/net/eth0/address')).toBe('02:00:00:21:3b:02\n');
    inside(a.name, 'ip addr add 10.213.58.1/24 dev eth0 && ip link set eth0 up');
    inside(b.name, 'ip addr add 10.213.58.2/24 dev eth0 && ip link set eth0 up');
    // Both ports carry traffic once the far ends are up: carrier, then the bridge's forwarding state.
    for (const dir of [a, b]) waitForHostLink(`${dir.name}0`, (link) => link.operstate === 'UP' && link.linkinfo?.info_slave_data?.state === 'forwarding');
    expect(inside(a.name, '/usr/bin/busybox ping -c1 -W2 10.213.58.2')).toMatch(/1 packets received/);
    expect(inside(b.name, '/usr/bin/busybox ping -c1 -W2 10.213.58.1')).toMatch(/1 packets received/);
    // The addresses are the subhosts' own: the host has no route to them.
    expect(spawnSync('ip', ['-j', 'route', 'get', '10.213.58.1'], { encoding: 'utf8' }).stdout).not.toContain(bridge);

    for (const dir of [a, b]) {
      const stop = cli(['subhost', 'stop', dir.name]);
      expect(stop.status, stop.stderr).toBe(0);
      expect(hostLink(`${dir.name}0`)).toBeUndefined();
      expect(netnsNames()).not.toContain(dir.name);
    }
    expect(hostLink(bridge)).toBeDefined();
  });
});

describe("two subhosts whose own `network` sections configure their cables", () => {
  it('have their addresses from PID 1 (eth0 up, the address on it) and reach each other', () => {
    const networked = (mac: string, address: string): string => `${cabled(mac)}network:\n  ethernets:\n    eth0: {addresses: ["${address}"]}\n`;
    const a = subhostDir('dhna', networked('02:00:00:21:4a:01', '10.213.59.1/24'));
    const b = subhostDir('dhnb', networked('02:00:00:21:4b:02', '10.213.59.2/24'));
    start(a.config, a.name);
    start(b.config, b.name);
    // No `ip addr add` here: the addresses are there because each PID 1 ran its network step on its cable's end.
    expect(inside(a.name, 'ip -o -4 addr show dev eth0')).toMatch(/inet 10\.213\.59\.1\/24/);
    expect(inside(b.name, 'ip -o -4 addr show dev eth0')).toMatch(/inet 10\.213\.59\.2\/24/);
    expect(inside(a.name, 'cat /run/bootstrap/network.json')).toMatch(/"addresses": \[\s*"10\.213\.59\.1\/24"/);
    for (const dir of [a, b]) waitForHostLink(`${dir.name}0`, (link) => link.operstate === 'UP' && link.linkinfo?.info_slave_data?.state === 'forwarding');
    expect(inside(a.name, '/usr/bin/busybox ping -c1 -W2 10.213.59.2')).toMatch(/1 packets received/);
    expect(inside(b.name, '/usr/bin/busybox ping -c1 -W2 10.213.59.1')).toMatch(/1 packets received/);
    for (const dir of [a, b]) expect(cli(['subhost', 'stop', dir.name]).status).toBe(0);
  });
});

/** Waits (at most 5 s) until subhost `name` is in `condition`. */
function waitForCondition(name: string, condition: string): void {
  const deadline = Date.now() + 5000;
  while (status(name).condition !== condition && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  expect(status(name).condition).toBe(condition);
}

describe('a cable through hibernation', () => {
  it('stays while PID 1 is gone (SIGKILL), is kept by the resume, refuses a resume once cut, and goes with stop', () => {
    const dir = subhostDir('ck', cabled('02:00:00:21:3c:03'));
    start(dir.config, dir.name);
    process.kill(status(dir.name).pid1!, 'SIGKILL');
    waitForCondition(dir.name, 'hibernating');
    expect(hostLink(`${dir.name}0`)).toMatchObject({ master: bridge });
    // status names the cable and its host end as the host has it now.
    expect(status(dir.name).cables).toEqual([{ cable: 0, kind: 'veth', host: `${dir.name}0`, inside: 'eth0', bridge, mac: '02:00:00:21:3c:03', vlan: null, hostState: expect.not.stringMatching(/^missing$/) as string }]);
    expect(cli(['subhost', 'status', dir.name]).stdout).toContain(`cables (1):\n    0: ${dir.name}0 (`);

    start(dir.config, dir.name);
    expect(inside(dir.name, 'cat /sys/class/net/eth0/address')).toBe('02:00:00:21:3c:03\n');
    process.kill(status(dir.name).pid1!, 'SIGKILL');
    waitForCondition(dir.name, 'hibernating');
    // A cable cut while it slept (its host end deleted from outside): the resume refuses, naming it.
    ip('link', 'delete', 'dev', `${dir.name}0`);
    const cut = cli(['subhost', 'start', dir.config]);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toContain(`the host end of its cable 0 (${dir.name}0) is gone; stop it and start it again`);
    const stop = cli(['subhost', 'stop', dir.name]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/it was hibernating|PID 1 was not running|changes undone/);
    expect(hostLink(`${dir.name}0`)).toBeUndefined();
    expect(netnsNames()).not.toContain(dir.name);
  });
});

describe('a cable without a bridge', () => {
  it('has its host end up (and ifup tried when the host has it); eth0 inside gets a MAC from the kernel', () => {
    const dir = subhostDir('cn', 'subhost:\n  cables: [{}]\npostSwitch:\n  handoff: {mode: none}\n');
    start(dir.config, dir.name);
    const host = hostLink(`${dir.name}0`);
    expect(host?.flags).toContain('UP');
    expect(host?.master).toBeUndefined();
    expect(inside(dir.name, 'cat /sys/class/net/eth0/address')).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}\n$/);
  });

  it('in a user namespace: root inside owns its end (brings it up)', () => {
    const dir = subhostDir('cu', `namespaces: [user, mount, pid, net, uts, ipc]\nidMap:\n  users: "0 1000000 65536"\n  groups: "0 1000000 65536"\nsubhost:\n  cables: [{mac: "02:00:00:21:3d:04"}]\npostSwitch:\n  handoff: {mode: none}\n`);
    chmodSync(dir.top, 0o755);
    start(dir.config, dir.name);
    expect(inside(dir.name, 'ip link set eth0 up && cat /sys/class/net/eth0/address /sys/class/net/eth0/flags')).toMatch(/^02:00:00:21:3d:04\n0x1[0-9a-f]{3}\n$/);
  });
});

describe('refusals and failures', () => {
  it('a bridge that does not exist is refused before anything changes', () => {
    const dir = subhostDir('cm', 'subhost:\n  cables: [{bridge: nosuchbr0}]\npostSwitch:\n  handoff: {mode: none}\n');
    const run = cli(['subhost', 'start', dir.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`subhost ${dir.name} not started, nothing was changed:\n  cables[0]: bridge nosuchbr0 does not exist on the host; create it first`);
    expect(hostLink(`${dir.name}0`)).toBeUndefined();
    expect(netnsNames()).not.toContain(dir.name);
  });

  it('a VLAN on the cable before it: made when the kernel has 8021q; otherwise the start fails saying so and is undone', () => {
    const dir = subhostDir('cv', 'subhost:\n  cables: [{}, {vlan: 302}]\npostSwitch:\n  handoff: {mode: none}\n');
    const vlan = `${dir.name}0.302`;
    if (kernelHasVlans()) {
      start(dir.config, dir.name);
      expect(hostLink(vlan)).toMatchObject({ linkinfo: { info_kind: 'vlan' } });
      expect(cli(['subhost', 'stop', dir.name]).status).toBe(0);
    } else {
      track(dir.name);
      const run = cli(['subhost', 'start', dir.config]);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`RTM_NEWLINK(kind="vlan", name="${vlan}", parentIndex=`);
      expect(run.stderr).toContain('EOPNOTSUPP (Operation not supported); the kernel says "Unknown device type"; the kernel has no 8021q (modprobe 8021q)');
      expect(run.stderr).toContain('everything it did was undone');
    }
    // Either way the veth made before it is gone with the rest.
    expect(hostLink(`${dir.name}0`)).toBeUndefined();
    expect(hostLink(vlan)).toBeUndefined();
    expect(netnsNames()).not.toContain(dir.name);
  });
});
