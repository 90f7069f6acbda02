// The network handlers against a fake Sys: finding a link by name or MAC, MTU, up, addresses and routes in that
// order, carrier waited for, errors naming the interface, resolv.conf, the hostname and the record.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { configureInterface, setHostname, writeResolvConf, type NetworkContext } from '../../src/exec/handlers/network';
import { emptyNetworkRecord } from '../../src/exec/network-record';
import { DhcpOption } from '../../src/net/dhcp/lease';
import { BOOTREPLY, decodeDhcp, DhcpType, encodeDhcp } from '../../src/net/dhcp/message';
import { SysError, type AddressSpec, type LinkChange, type LinkInfo, type RouteSpec, type Sys, type UdpSocket } from '../../src/sys/index';
import type { StepOf } from '../../src/plan/step';

const log = createLogger({ write: () => true }, 'error');

function link(name: string, mac: string, fields: Partial<LinkInfo> = {}): LinkInfo {
  return { index: 2, name, mac, mtu: 1500, up: false, lowerUp: false, running: false, carrier: undefined, operState: 'down', kind: undefined, master: undefined, masterIndex: undefined, parentIndex: undefined, vlanId: undefined, flags: 0, ...fields };
}

/** A kernel with `links`; a link gets its carrier when it is brought up, unless it is `unwired`. */
/** A socket on QEMU's user network (or on nothing, `silent`): answers DISCOVER with an OFFER, REQUEST with an ACK. */
function dhcpSocket(silent: boolean, calls: string[]): UdpSocket {
  const queue: Uint8Array[] = [];
  return {
    fd: 3,
    send(bytes, address, port) {
      const request = decodeDhcp(bytes);
      const type = request.options.get(DhcpOption.messageType)?.[0];
      calls.push(`send DHCP ${String(type)} to ${address}:${port}`);
      if (silent) return;
      const options = new Map<number, Uint8Array>([
        [DhcpOption.messageType, Uint8Array.of(type === DhcpType.discover ? DhcpType.offer : DhcpType.ack)],
        [DhcpOption.serverId, Uint8Array.of(10, 0, 2, 2)],
        [DhcpOption.subnetMask, Uint8Array.of(255, 255, 255, 0)],
        [DhcpOption.router, Uint8Array.of(10, 0, 2, 2)],
        [DhcpOption.dns, Uint8Array.of(10, 0, 2, 3)],
        [DhcpOption.domain, new TextEncoder().encode('lan')],
        [DhcpOption.mtu, Uint8Array.of(0x05, 0x78)],
      ]);
      queue.push(encodeDhcp({ op: BOOTREPLY, xid: request.xid, secs: 0, broadcast: true, ciaddr: '0.0.0.0', yiaddr: '10.0.2.15', siaddr: '10.0.2.2', giaddr: '0.0.0.0', chaddr: request.chaddr, options }));
    },
    receive(timeoutMs) {
      const next = queue.shift();
      // Waits as a real socket would, so the client's deadline is reached in real time.
      if (next === undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timeoutMs);
      return next;
    },
    close() {
      calls.push('close');
    },
  };
}

function fakeSys(links: LinkInfo[], options: { unwired?: boolean; present?: string[]; silent?: boolean } = {}) {
  const calls: string[] = [];
  const present = new Set(options.present ?? []);
  const find = (name: string): LinkInfo => {
    const found = links.find((candidate) => candidate.name === name);
    if (!found) throw new SysError({ syscall: 'getLink', errno: 19, args: { name } });
    return found;
  };
  const sys = {
    listLinks: () => links.map((one) => ({ ...one })),
    getLink: (name: string) => ({ ...find(name) }),
    changeLink(change: LinkChange) {
      calls.push(`changeLink ${JSON.stringify(change)}`);
      const target = find(change.name);
      if (change.mtu !== undefined) target.mtu = change.mtu;
      if (change.up) Object.assign(target, { up: true, lowerUp: !options.unwired });
    },
    addAddress(spec: AddressSpec) {
      calls.push(`addAddress ${spec.link} ${spec.address}`);
      if (present.has(spec.address)) throw new SysError({ syscall: 'addAddress', errno: 17, args: { ...spec } });
    },
    addRoute(spec: RouteSpec) {
      calls.push(`addRoute ${JSON.stringify(spec)}`);
    },
    sethostname(name: string) {
      calls.push(`sethostname ${name}`);
    },
    openUdpOnDevice(spec: { device: string; port: number }) {
      calls.push(`open ${spec.device}:${spec.port}`);
      return dhcpSocket(options.silent === true, calls);
    },
  } as unknown as Sys;
  return { sys, calls };
}

function context(sys: Sys): NetworkContext & { directory: string } {
  const directory = mkdtempSync(join(tmpdir(), 'network-handler-'));
  return { sys, log, env: {}, network: emptyNetworkRecord(), networkRecordPath: join(directory, 'run/bootstrap/network.json'), resolvConfPath: join(directory, 'etc/resolv.conf'), directory };
}

const step = (fields: Partial<StepOf<'network'>> = {}): StepOf<'network'> => ({
  kind: 'network',
  phase: 'postSwitch',
  source: '/network/ethernets/eth0',
  policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 },
  interface: 'eth0',
  match: { name: 'eth0' },
  timeoutMs: 200,
  mtu: undefined,
  dhcp4: false,
  addresses: ['10.0.2.16/24', 'fd00::2/64'],
  routes: [{ to: 'default', via: '10.0.2.2', metric: undefined }],
  ...fields,
});

describe('a network step', () => {
  it('sets the MTU, brings the link up, adds addresses then routes, and records them', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')]);
    const ctx = context(sys);
    await configureInterface(step({ mtu: 1400 }), ctx);
    expect(calls).toEqual([
      'changeLink {"name":"eth0","mtu":1400}',
      'changeLink {"name":"eth0","up":true}',
      'addAddress eth0 10.0.2.16/24',
      'addAddress eth0 fd00::2/64',
      'addRoute {"destination":"default","gateway":"10.0.2.2","link":"eth0"}',
    ]);
    const record = JSON.parse(readFileSync(ctx.networkRecordPath!, 'utf8')) as unknown;
    expect(record).toEqual({ interfaces: [{ label: 'eth0', name: 'eth0', mac: '52:54:00:12:34:56', mtu: 1400, addresses: ['10.0.2.16/24', 'fd00::2/64'], routes: [{ to: 'default', via: '10.0.2.2' }] }], nameservers: [], search: [] });
  });

  it('finds a link by its MAC whatever the kernel named it, and leaves an MTU that is already right', async () => {
    const { sys, calls } = fakeSys([link('enp0s3', '52:54:00:ab:cd:ef', { mtu: 1400 })]);
    const ctx = context(sys);
    await configureInterface(step({ interface: 'lan', match: { mac: '52:54:00:ab:cd:ef' }, mtu: 1400, addresses: [], routes: [] }), ctx);
    expect(calls).toEqual(['changeLink {"name":"enp0s3","up":true}']);
    expect(ctx.network.interfaces[0]).toMatchObject({ label: 'lan', name: 'enp0s3' });
  });

  it('takes an address the link already has as done', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')], { present: ['10.0.2.16/24'] });
    await configureInterface(step(), context(sys));
    expect(calls.filter((call) => call.startsWith('add'))).toHaveLength(3);
  });

  it('names the interface and the links there are when none appears within waitOnline', async () => {
    const { sys } = fakeSys([link('lo', '00:00:00:00:00:00')]);
    await expect(configureInterface(step({ timeoutMs: 50 }), context(sys))).rejects.toThrow('network eth0: no interface eth0 appeared within 50ms (waitOnline); interfaces: lo; is its driver module loaded?');
    await expect(configureInterface(step({ timeoutMs: 50, match: { mac: '02:00:00:00:00:01' } }), context(sys))).rejects.toThrow('no interface with MAC 02:00:00:00:00:01 (for eth0) appeared');
  });

  it('fails naming the interface when the card has no carrier, without adding anything', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')], { unwired: true });
    const started = performance.now();
    await expect(configureInterface(step({ timeoutMs: 100 }), context(sys))).rejects.toThrow('network eth0: eth0 is up but has no carrier after 100ms (waitOnline)');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(calls.some((call) => call.startsWith('add'))).toBe(false);
  });

  it('with dhcp4: asks on the link, takes the lease\'s address, MTU and router before the static ones, and records the lease', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')]);
    const ctx = context(sys);
    await configureInterface(step({ dhcp4: true, timeoutMs: 2000, addresses: ['fd00::2/64'], routes: [] }), ctx);
    expect(calls).toEqual([
      'changeLink {"name":"eth0","up":true}',
      'open eth0:68',
      'send DHCP 1 to 255.255.255.255:67',
      'send DHCP 3 to 255.255.255.255:67',
      'close',
      'changeLink {"name":"eth0","mtu":1400}',
      'addAddress eth0 10.0.2.15/24',
      'addAddress eth0 fd00::2/64',
      'addRoute {"destination":"default","gateway":"10.0.2.2","link":"eth0"}',
    ]);
    expect(ctx.network.interfaces[0]).toMatchObject({ addresses: ['10.0.2.15/24', 'fd00::2/64'], routes: [{ to: 'default', via: '10.0.2.2' }], dhcp4: { address: '10.0.2.15/24', dns: ['10.0.2.3'], domain: 'lan', mtu: 1400, serverId: '10.0.2.2' } });
    expect(ctx.network.interfaces[0]?.dhcp4?.acquiredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    writeResolvConf({ kind: 'resolvConf', phase: 'postSwitch', source: '/network/ethernets', policy: step().policy, nameservers: ['192.168.0.1'], search: [], leases: true }, ctx);
    expect(readFileSync(ctx.resolvConfPath!, 'utf8')).toBe('# Written by bootstrap from its network config.\nnameserver 192.168.0.1\nnameserver 10.0.2.3\nsearch lan\n');
  });

  it('with dhcp4 and a default route in the config: the config\'s, not the lease\'s router', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')]);
    await configureInterface(step({ dhcp4: true, timeoutMs: 2000, addresses: [], routes: [{ to: 'default', via: '10.0.2.1', metric: undefined }] }), context(sys));
    expect(calls.filter((call) => call.startsWith('addRoute'))).toEqual(['addRoute {"destination":"default","gateway":"10.0.2.1","link":"eth0"}']);
  });

  it('refuses a second entry for a card an earlier one configured (by name, then by MAC)', async () => {
    const { sys } = fakeSys([link('eth0', '52:54:00:12:34:56')]);
    const ctx = context(sys);
    await configureInterface(step({ addresses: [], routes: [] }), ctx);
    await expect(configureInterface(step({ interface: 'lan', match: { mac: '52:54:00:12:34:56' }, addresses: [], routes: [] }), ctx)).rejects.toThrow('network lan: eth0 is already configured as eth0; one card takes one entry');
  });

  it('with dhcp4 and no server: fails within waitOnline naming the interface, adding nothing', async () => {
    const { sys, calls } = fakeSys([link('eth0', '52:54:00:12:34:56')], { silent: true });
    const started = performance.now();
    await expect(configureInterface(step({ dhcp4: true, timeoutMs: 1500 }), context(sys))).rejects.toThrow(/^network eth0: eth0: no DHCP lease within \d+ms \(waitOnline\): 2 DHCPDISCOVER and 0 DHCPREQUEST sent, no offer came/);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(calls.some((call) => call.startsWith('add'))).toBe(false);
    expect(calls.at(-1)).toBe('close');
  });
});

describe('resolvConf and hostname', () => {
  it('write nameservers and search, set the hostname, and record both', () => {
    const { sys, calls } = fakeSys([]);
    const ctx = context(sys);
    writeResolvConf({ kind: 'resolvConf', phase: 'postSwitch', source: '/network/ethernets', policy: step().policy, nameservers: ['10.0.2.3', 'fd00::3'], search: ['example.org', 'lan'], leases: false }, ctx);
    setHostname({ kind: 'hostname', phase: 'postSwitch', source: '/network/hostname', policy: step().policy, hostname: 'guest1' }, ctx);
    expect(readFileSync(ctx.resolvConfPath!, 'utf8')).toBe('# Written by bootstrap from its network config.\nnameserver 10.0.2.3\nnameserver fd00::3\nsearch example.org lan\n');
    expect(calls).toEqual(['sethostname guest1']);
    expect(JSON.parse(readFileSync(ctx.networkRecordPath!, 'utf8'))).toEqual({ interfaces: [], nameservers: ['10.0.2.3', 'fd00::3'], search: ['example.org', 'lan'], hostname: 'guest1' });
  });
});
