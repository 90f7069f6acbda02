// VLAN cables on a kernel that has 8021q (this project's host kernel has none): a Debian kernel in QEMU runs
// `bootstrap subhost start` on a subhost whose cables put two VLANs on the host end of its veth pair, and `stop`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  bootstrapBinary,
  buildGuestRoot,
  packBootstrap,
  panicPattern,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  sectionBetween,
  stopAll,
  tempDir,
  waitForExit,
  writeGuestFile,
  writeGuestScript,
} from '../../harness/vm';

const bootTimeoutMs = 180_000;

// veth, 8021q and its dependencies are modules in Debian's kernel: loaded before the switch, they stay.
const config = `
console: console
emergency: {action: poweroff}
preSwitch:
  modules:
    names: [virtio_pci, virtiofs, veth, 8021q]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /vlan-probe.sh}
`;

// The guest's whole root bound at live (upper = lower = /): no overlay needed on the virtiofs root.
const subhost = `
subhost:
  root: {lower: /, upper: /, live: live}
  cables: [{mac: "02:00:00:00:30:01"}, {vlan: 302}, {vlan: 4094}]
postSwitch:
  handoff: {mode: none}
`;

// The host's ifupdown configuration for the cables' host interfaces (busybox's ifup here), as overlay-boot asks of
// an administrator: "the host needs to have a supporting configuration entry in /etc/network/interfaces".
const interfaces = `
iface vs0 inet manual
iface vs0.302 inet static
    address 10.213.30.1
    netmask 255.255.255.0
`;

const probe = `
B=/usr/local/bin/bootstrap
$B subhost start /opt/vs/vs.yaml; echo "vlan-probe: start=$?"
echo vlan-probe:vlans:begin
cat /proc/net/vlan/config
echo vlan-probe:vlans:end
echo "vlan-probe: links=$(ls /sys/class/net | tr '\\n' ' ')"
echo "vlan-probe: configured=$(ip -o -4 addr show dev vs0.302 | awk '{print $4}')"
echo "vlan-probe: ifstate=$(cat /var/run/ifstate | tr '\\n' ' ')"
echo "vlan-probe: inside=$($B subhost enter vs -- /bin/cat /sys/class/net/eth0/address)"
$B subhost stop vs; echo "vlan-probe: stop=$?"
echo "vlan-probe: after=$(ls /sys/class/net | tr '\\n' ' ')"
echo "vlan-probe: ifstate-after=$(cat /var/run/ifstate | tr '\\n' ' ')"
sync
poweroff -f
`;

/** Copies a host program into the guest root at the same path, with the shared libraries ldd names for it. */
function copyWithLibraries(root: string, program: string, target = program): void {
  const ldd = spawnSync('ldd', [program], { encoding: 'utf8' });
  if (ldd.status !== 0) throw new Error(`ldd ${program}: ${ldd.stderr}`);
  const libraries = [...ldd.stdout.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1]!);
  for (const path of [...libraries, `${program}\0${target}`]) {
    const [from, to = from] = path.split('\0') as [string, string?];
    const destination = join(root, to);
    mkdirSync(dirname(destination), { recursive: true });
    // busybox's applet links (unshare, nsenter) make way for util-linux's programs, whose options subhosts use.
    rmSync(destination, { force: true });
    copyFileSync(from, destination);
  }
}

describe('VLAN cables in a guest with 8021q', () => {
  let work: string;
  let guestRoot: string;
  let initrd: string;

  beforeAll(() => {
    const kernel = readKernelEnv();
    work = tempDir('subhost-vlan');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    copyWithLibraries(guestRoot, bootstrapBinary, '/usr/local/bin/bootstrap');
    for (const program of ['/usr/bin/unshare', '/usr/bin/nsenter']) copyWithLibraries(guestRoot, program);
    mkdirSync(join(guestRoot, 'opt/vs/live'), { recursive: true });
    writeGuestFile(guestRoot, '/opt/vs/vs.yaml', subhost);
    writeGuestScript(guestRoot, '/vlan-probe.sh', probe);
    writeGuestFile(guestRoot, '/etc/network/interfaces', interfaces);
    // busybox's ifup keeps its state in /var/run/ifstate and runs the hook directories.
    for (const directory of ['var/run', 'etc/network/if-pre-up.d', 'etc/network/if-up.d', 'etc/network/if-down.d', 'etc/network/if-post-down.d']) mkdirSync(join(guestRoot, directory), { recursive: true });
    initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel, config, modules: ['veth', '8021q'] });
  }, 120_000);

  afterEach(() => stopAll());
  afterAll(() => {
    saveTranscripts();
    removeTempDirs();
  });

  it('start makes vs0.302 and vs0.4094 on the host end vs0 (ifup configures them), eth0 inside has its MAC; stop (ifdown) removes them all', async () => {
    const guest = recordTranscript('subhost-vlan', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, memory: 1024, timeoutMs: bootTimeoutMs }));
    const exit = await waitForExit(guest, bootTimeoutMs);
    const text = guest.console();
    expect(text).not.toMatch(panicPattern);
    expect(exit).toMatchObject({ timedOut: false });
    expect(text).toMatch(/vlan-probe: start=0/);
    // /proc/net/vlan/config: "NAME | VID | PARENT" per VLAN interface.
    const vlans = (sectionBetween(text, 'vlan-probe:vlans:begin', 'vlan-probe:vlans:end') ?? '').split('\n').map((line) => line.replace(/\s+/g, ' ').trim());
    expect(vlans).toEqual(expect.arrayContaining(['vs0.302 | 302 | vs0', 'vs0.4094 | 4094 | vs0']));
    expect(/vlan-probe: links=(.*)/.exec(text)?.[1]?.split(' ')).toEqual(expect.arrayContaining(['vs0', 'vs0.302', 'vs0.4094']));
    expect(text).toMatch(/vlan-probe: inside=02:00:00:00:30:01/);
    // ifup ran on the host interfaces: vs0.302 has the address the host's configuration gives it; vs0.4094 has no
    // entry, and its failed ifup was only a warning.
    expect(text).toMatch(/vlan-probe: configured=10\.213\.30\.1\/24/);
    expect(/vlan-probe: ifstate=(.*)/.exec(text)?.[1]?.trim().split(' ').sort()).toEqual(['vs0.302=vs0.302', 'vs0=vs0']);
    expect(text).toMatch(/warn: \/sbin\/ifup vs0\.4094 exited with status 1; vs0\.4094 is up without the host's configuration of it/);
    expect(text).toMatch(/vlan-probe: stop=0/);
    const after = /vlan-probe: after=(.*)/.exec(text)?.[1]?.trim().split(' ') ?? [];
    expect(after).toContain('lo');
    expect(after.filter((name) => name.startsWith('vs0'))).toEqual([]);
    // stop ran ifdown before removing them, so ifupdown does not keep them configured.
    expect(/vlan-probe: ifstate-after=(.*)/.exec(text)?.[1]?.trim()).toBe('');
  }, bootTimeoutMs + 30_000);
});
