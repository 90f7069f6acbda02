// DHCP renewal for real (root, this machine's kernel): `bootstrap boot` as PID 1 of PID, mount and network
// namespaces, a veth pair to a second network namespace where busybox's udhcpd (Debian's busybox-static) gives
// 8-second leases. The lease is renewed at T1 and the address's lifetime with it; when the server goes, the
// address goes at expiry and DISCOVER starts again; a server back gives a lease again; SIGTERM stops it all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPid1Program, type RunningSupervisor } from '../supervise/run-supervisor';

// Names of this test's own (another test may run network namespaces at the same time).
const SERVER_NS = 'dhrenew-srv';
const CLIENT_NS = 'dhrenew-cli';
const LINK = 'dhr1';
const LEASE_SECONDS = 8;

function ip(...args: string[]): string {
  const run = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

interface IpAddress {
  family: string;
  local: string;
  prefixlen: number;
  valid_life_time: number;
  preferred_life_time: number;
}

/** The IPv4 addresses of the client's link, as `ip -j addr` in its namespace shows them. */
function clientAddresses(): IpAddress[] {
  const links = JSON.parse(ip('-n', CLIENT_NS, '-j', 'addr', 'show', 'dev', LINK)) as { addr_info: IpAddress[] }[];
  return (links[0]?.addr_info ?? []).filter((address) => address.family === 'inet');
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('DHCP renewal while bootstrap stays PID 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhcp-renewal-'));
  let server: ChildProcess | undefined;
  let serverLog = '';
  let boot: RunningSupervisor | undefined;

  function startServer(): void {
    server = spawn('ip', ['netns', 'exec', SERVER_NS, 'busybox', 'udhcpd', '-f', '-S', join(dir, 'udhcpd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  }
  async function stopServer(): Promise<void> {
    if (server === undefined || server.exitCode !== null) return;
    const exited = new Promise((done) => server!.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  }

  // bootstrap as PID 1 in the client's namespace with dhcp4 on its end of the veth and `handoff` (postSwitch lines).
  // /run and /etc/resolv.conf are the host's in these namespaces: PID 1 gets its own before the network step writes them.
  const startClient = (handoff: string): Promise<RunningSupervisor> =>
    startPid1Program(`logLevel: debug
preSwitch:
  hooks:
    - "mount -t tmpfs dhcp-run /run"
    - "mount --bind ${join(dir, 'resolv.conf')} /etc/resolv.conf"
network:
  waitOnline: 10s
  ethernets:
    ${LINK}: {dhcp4: true}
postSwitch:
${handoff}`, (file) => ['boot', '--config', file, '--cmdline', ''], { netns: CLIENT_NS });

  beforeAll(() => {
    for (const ns of [SERVER_NS, CLIENT_NS]) spawnSync('ip', ['netns', 'del', ns]);
    ip('netns', 'add', SERVER_NS);
    ip('netns', 'add', CLIENT_NS);
    ip('-n', SERVER_NS, 'link', 'add', 'dhr0', 'type', 'veth', 'peer', 'name', LINK, 'netns', CLIENT_NS);
    ip('-n', SERVER_NS, 'addr', 'add', '10.77.0.1/24', 'dev', 'dhr0');
    ip('-n', SERVER_NS, 'link', 'set', 'dhr0', 'up');
    writeFileSync(join(dir, 'leases'), '');
    writeFileSync(join(dir, 'udhcpd.conf'), [
      'start 10.77.0.10', 'end 10.77.0.20', 'interface dhr0', `lease_file ${join(dir, 'leases')}`, `pidfile ${join(dir, 'udhcpd.pid')}`,
      'min_lease 4', 'option subnet 255.255.255.0', 'option router 10.77.0.1', `option lease ${LEASE_SECONDS}`, '',
    ].join('\n'));
    writeFileSync(join(dir, 'resolv.conf'), '');
    startServer();
  });

  afterAll(async () => {
    if (boot && boot.child.exitCode === null) {
      boot.child.kill('SIGKILL');
      await boot.exited;
    }
    await stopServer();
    for (const ns of [SERVER_NS, CLIENT_NS]) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('under a supervise handoff too: renewed beside the services, and stopped before them at SIGTERM', { timeout: 60_000 }, async () => {
    if (server === undefined || server.exitCode !== null) startServer();
    boot = await startClient(`  handoff:
    mode: supervise
    processes:
      app: {program: /bin/sleep, arguments: ["1000"]}
`);
    const running = boot;
    await running.waitFor(/DHCP leases on dhr1: renewed by bootstrap while it runs/, 20_000);
    await running.waitFor(/DHCP on dhr1: lease 10\.77\.0\.\d+\/24 renewed by 10\.77\.0\.1 for 8s/, 15_000);
    running.signal('SIGTERM');
    expect(await running.exited, running.output()).toBe(0);
    const output = running.output();
    expect(output).not.toMatch(/shutdown: stopping DHCP renewal|DHCP renewal on dhr1: /);
    // Renewal stops in the shutdown's first stage: no DHCP line after the services began to stop.
    expect(output.slice(output.indexOf('stopping services')), output).not.toMatch(/DHCP/);
  });

  it('renews at T1, refreshes the lifetime, drops the address at expiry, DISCOVERs again, and stops cleanly', { timeout: 90_000 }, async () => {
    const serverLogFrom = serverLog.length;
    boot = await startClient('  handoff: {mode: none}\n');
    const running = boot;
    const [, address] = await running.waitFor(/DHCP lease (10\.77\.0\.\d+)\/24 from 10\.77\.0\.1, router 10\.77\.0\.1 for 8s/, 20_000);
    await running.waitFor(/DHCP leases on dhr1: renewed by bootstrap while it runs/);
    const record = () => JSON.parse(readFileSync(`/proc/${running.pid}/root/run/bootstrap/network.json`, 'utf8')) as { interfaces: { dhcp4?: { renewedAt?: string; renewal?: string; address: string } }[] };
    expect(record().interfaces[0]?.dhcp4).toMatchObject({ renewal: 'bootstrap', address: `${address}/24` });

    // Past two expiries of the first lease the address is still there, with a lifetime the lease bounds: renewed.
    const lifetimes: number[] = [];
    const watchUntil = Date.now() + 2.5 * LEASE_SECONDS * 1000;
    while (Date.now() < watchUntil) {
      const held = clientAddresses().find((entry) => entry.local === address);
      expect(held, `${address} left while the server answered:\n${running.output()}`).toBeDefined();
      lifetimes.push(held!.valid_life_time);
      await sleep(500);
    }
    expect(Math.max(...lifetimes)).toBeLessThanOrEqual(LEASE_SECONDS);
    // A lifetime that went down and back up again is a refresh.
    expect(lifetimes.some((value, index) => index > 0 && value > lifetimes[index - 1]!), lifetimes.join(' ')).toBe(true);
    const renewals = running.output().match(new RegExp(`lease ${address!.replaceAll('.', '\\.')}/24 renewed by 10\\.77\\.0\\.1 for 8s`, 'g')) ?? [];
    expect(renewals.length, running.output()).toBeGreaterThanOrEqual(3);
    expect(running.output()).toMatch(/DHCPREQUEST for 10\.77\.0\.\d+ on dhr1 to 10\.77\.0\.1 \(renewing/);
    expect((serverLog.slice(serverLogFrom).match(/sending ACK/g) ?? []).length, serverLog).toBeGreaterThanOrEqual(4);
    const first = record().interfaces[0]?.dhcp4?.renewedAt;
    expect(first).toMatch(/^\d{4}-/);

    // The server goes: renewing, then rebinding, get nothing; at expiry the address and its route go, and DISCOVER starts.
    await stopServer();
    await running.waitFor(/no answer from 10\.77\.0\.1 by T2: rebinding/, 15_000);
    await running.waitFor(/expired without an answer from any server: the address goes/, 15_000);
    await running.waitFor(/removed 10\.77\.0\.\d+\/24 and the default route via 10\.77\.0\.1; asking for a new lease \(DHCPDISCOVER\)/);
    await running.waitFor(/DHCPDISCOVER on dhr1/);
    expect(clientAddresses()).toEqual([]);
    expect(ip('-n', CLIENT_NS, 'route', 'show').trim()).toBe('');
    expect(record().interfaces[0]?.dhcp4).toBeUndefined();

    // A server back gives a lease again, with its route; this one names a DNS server and a domain, which
    // resolv.conf (written at boot with none) now holds.
    expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).not.toMatch(/nameserver/);
    writeFileSync(join(dir, 'udhcpd.conf'), `${readFileSync(join(dir, 'udhcpd.conf'), 'utf8')}option dns 10.77.0.53\noption domain renewed.test\n`);
    startServer();
    await running.waitFor(/DHCP on dhr1: bound 10\.77\.0\.\d+\/24 from 10\.77\.0\.1, router 10\.77\.0\.1 for 8s/, 30_000);
    expect(clientAddresses().length).toBe(1);
    expect(ip('-n', CLIENT_NS, 'route', 'show')).toMatch(/default via 10\.77\.0\.1 dev dhr1/);
    await running.waitFor(/DHCP renewal: \/etc\/resolv\.conf now names 10\.77\.0\.53, search renewed\.test/);
    expect(readFileSync(join(dir, 'resolv.conf'), 'utf8')).toMatch(/^nameserver 10\.77\.0\.53\nsearch renewed\.test\n$/m);

    // SIGTERM: the renewal stops first, then PID 1 exits 0 with nothing left.
    running.signal('SIGTERM');
    expect(await running.exited, running.output()).toBe(0);
    expect(running.output()).not.toMatch(/shutdown: stopping DHCP renewal/);
    expect(running.output()).not.toMatch(/stopped by an error|internal error/);
  });
});
