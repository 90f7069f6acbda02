// The network section and the kernel's ip= on a real kernel and a virtio-net card on QEMU's user networking: DHCP
// gets QEMU's lease, ip= gets exactly what it says; a card wired to nothing ends in the emergency action naming the
// interface, never a hang or a panic.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  configPathFor,
  guestInitPattern,
  packBootstrap,
  waitForPowerOff,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  requiredSection,
  stopAll,
  tempDir,
  writeGuestScript,
  type Guest,
  type Nic,
} from '../../harness/vm';

const bootTimeoutMs = 90_000;
const testTimeoutMs = 2 * bootTimeoutMs;
const mac = '52:54:00:12:34:56';
const userNic: Nic = { network: 'user', mac };

// Prints what the guest ended up with between two markers, then powers off.
const report = `echo network-report-begin
echo "hostname: $(hostname)"
ip -4 addr show dev eth0 | sed -n 's/^ *inet \\([^ ]*\\).*/address: \\1/p'
cat /proc/net/route
cat /etc/resolv.conf
cat /run/bootstrap/network.json
echo network-report-end
poweroff -f
`;

const config = (network: string): string => `console: console
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs, virtio_net]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
${network}
postSwitch:
  handoff: {mode: exec, program: /report}
`;

// QEMU's user network is 10.0.2.0/24: its DHCP gives 10.0.2.15, router 10.0.2.2, DNS 10.0.2.3.
const dhcpConfig = config(`network:
  hostname: dhcp1
  waitOnline: 30s
  ethernets:
    lan:
      match: {macaddress: "${mac}"}
      dhcp4: true
      nameservers: {search: [example.org]}
      mtu: 1400`);

const extraConfigs = {
  // A card wired to nothing: no offer ever comes; the boot waits waitOnline, no longer, and says which interface.
  unwired: config(`network:
  waitOnline: 3s
  ethernets:
    eth0: {dhcp4: true}`),
};

/** The guest's report, between its markers. */
const reportOf = (transcript: string): string => requiredSection(transcript, 'network-report-begin', 'network-report-end');

describe('network on QEMU user networking', () => {
  let guestRoot: string;
  let initrd: string;

  beforeAll(() => {
    const kernel = readKernelEnv();
    const work = tempDir('network');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    writeGuestScript(guestRoot, '/report', report);
    initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel, config: dhcpConfig, extraConfigs });
  });

  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  const boot = async (name: string, append: string, nic = userNic): Promise<Guest> =>
    recordTranscript(`network-${name}`, await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, nics: [nic], timeoutMs: bootTimeoutMs }));

  it(
    'dhcp4 on a card matched by MAC: QEMU\'s lease, its default route and DNS, the MTU and hostname asked, and network.json (renewal: next init)',
    async () => {
      const guest = await boot('dhcp', '');
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      const text = reportOf(transcript);
      expect(text).toContain('hostname: dhcp1');
      expect(text).toContain('address: 10.0.2.15/24');
      // /proc/net/route: eth0, destination 0, gateway 10.0.2.2 (little-endian hex 0202000A), flags UG (0003).
      expect(text).toMatch(/^eth0\s+00000000\s+0202000A\s+0003\s/m);
      expect(text).toContain('nameserver 10.0.2.3\nsearch example.org\n');
      const record = JSON.parse(text.slice(text.indexOf('{\n  "interfaces"'))) as { interfaces: unknown[]; hostname: string };
      expect(record.interfaces).toEqual([
        expect.objectContaining({ label: 'lan', name: 'eth0', mac, mtu: 1400, addresses: ['10.0.2.15/24'], dhcp4: expect.objectContaining({ address: '10.0.2.15/24', routers: ['10.0.2.2'], dns: ['10.0.2.3'], serverId: '10.0.2.2', leaseSeconds: 86400, expiresAt: expect.stringMatching(/^\d{4}-/) as unknown, renewal: 'next init' }) as unknown }),
      ]);
      expect(record.hostname).toBe('dhcp1');
      // An exec handoff: bootstrap is not PID 1 afterwards, so renewing passes to the next init, and it says so.
      expect(transcript).toContain('DHCP leases on eth0: renewing them passes to the next init');
    },
    testTimeoutMs,
  );

  it(
    'ip= on the kernel command line takes the place of the config\'s interfaces and hostname',
    async () => {
      const guest = await boot('ip', 'ip=10.0.2.16::10.0.2.2:255.255.255.0:guest1:eth0:off:10.0.2.3');
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      expect(transcript).toContain('kernel argument ip= configures eth0 in place of network.ethernets');
      const text = reportOf(transcript);
      expect(text).toContain('hostname: guest1');
      expect(text).toContain('address: 10.0.2.16/24');
      expect(text).not.toContain('10.0.2.15');
      expect(text).toMatch(/^eth0\s+00000000\s+0202000A\s+0003\s/m);
      expect(text).toContain('nameserver 10.0.2.3\n');
      expect(text).not.toContain('search example.org');
    },
    testTimeoutMs,
  );

  it(
    'dhcp4 on a card wired to nothing: the emergency action after waitOnline, naming the interface',
    async () => {
      const guest = await boot('unwired', `bootstrap.config=${configPathFor('unwired')}`, { network: 'unwired', mac });
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      expect(transcript).toMatch(/bootstrap: error: .*network eth0: eth0: no DHCP lease within \d+ms \(waitOnline\): \d DHCPDISCOVER and 0 DHCPREQUEST sent, no offer came/);
      expect(transcript).toMatch(/bootstrap: poweroff/);
      expect(transcript).not.toMatch(guestInitPattern);
      expect(transcript).not.toContain('network-report-begin');
    },
    testTimeoutMs,
  );
});
