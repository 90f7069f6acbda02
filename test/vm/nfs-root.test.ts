// NFS roots on a real kernel: the guest's root is a directory of this machine exported by Debian's NFS-Ganesha on
// 127.0.0.1, reached through QEMU's user networking as 10.0.2.2. Over NFSv3 (network section, DHCP) and NFSv4 (no
// network section, the kernel's ip=) the guest boots to its handoff, which prints the root's /proc/mounts line and
// writes through the root into the exported directory. With no server on the port, the boot ends in the emergency
// action within the mount's timeout, naming server and export; with a server that takes the connection and never
// answers, mount(2) returns EIO within the bound its default timeo and retrans give: never a hang. With no network at
// all (no section, no ip=) the boot stops before the root, saying so.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  configPathFor,
  packBootstrap,
  waitForPowerOff,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  requiredSection,
  freeNfsPorts,
  startNfsServer,
  stopAll,
  tempDir,
  writeGuestScript,
  type Guest,
  type NfsPorts,
} from '../../harness/vm';

const bootTimeoutMs = 120_000;
const testTimeoutMs = 2 * bootTimeoutMs;
const mac = '52:54:00:12:34:57';

// What the handoff saw: the root's line of /proc/mounts; and a file written through the root, named by its argument.
const report = `echo nfs-report-begin
grep ' / ' /proc/mounts
cat /run/bootstrap/network.json
cat /etc/resolv.conf
echo "written by the guest" > "/written-by-$1"
sync
echo nfs-report-end
poweroff -f
`;

const config = (root: string, network: string, version: string): string => `console: console
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtio_net]}
switchRoot:
  rootFileSystem: ${root}
${network}
postSwitch:
  handoff: {mode: exec, program: /report, arguments: [${version}]}
`;

/** The guest's report, between its markers. */
const reportOf = (transcript: string): string => requiredSection(transcript, 'nfs-report-begin', 'nfs-report-end');

describe('an NFS root from NFS-Ganesha on QEMU user networking', () => {
  let guestRoot: string;
  let initrd: string;
  let ports: NfsPorts;
  let closedPort: number;
  // Takes connections and never answers: what a wedged server looks like to a client.
  const silentSockets: Socket[] = [];
  const silent = createServer((socket) => void silentSockets.push(socket));
  let silentPort: number;

  beforeAll(async () => {
    const kernel = readKernelEnv();
    const work = tempDir('nfs-root');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    writeGuestScript(guestRoot, '/report', report);
    ports = await freeNfsPorts();
    // A port nothing listens on: one more pair the kernel calls free, the server never started on them.
    closedPort = (await freeNfsPorts()).port;
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
    const nfs = (fields: string): string => `{type: nfs, server: 10.0.2.2, export: ${guestRoot}, ${fields}}`;
    // NFSv3 with the network section: DHCP from QEMU, resolv.conf written in the new root.
    const v3 = config(nfs(`version: "3", port: ${ports.port}, mountPort: ${ports.mountPort}`), `network:
  hostname: nfs3
  ethernets:
    lan:
      match: {macaddress: "${mac}"}
      dhcp4: true`, '3');
    initrd = packBootstrap({
      work,
      output: join(work, 'initrd'),
      kernel,
      config: v3,
      modules: ['nfsv4'],
      extraConfigs: {
        // NFSv4 with no network section: ip= on the kernel command line brings eth0 up.
        v4: config(nfs(`version: "4", port: ${ports.port}`), '', '4'),
        // No server on that port: QEMU refuses the connection for the host, and the wait gives up after 5 s.
        absent: config(nfs(`version: "4", port: ${closedPort}, timeout: 5s`), 'network:\n  ethernets:\n    eth0: {dhcp4: true}', '4'),
        // A server that answers no RPC: mount(2) itself must end, within (retrans + 1) × timeo = 30 s.
        silent: config(nfs(`version: "4.1", port: ${silentPort}`), 'network:\n  ethernets:\n    eth0: {dhcp4: true}', '4'),
      },
    });
  }, 60_000);

  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    removeTempDirs();
  });

  const boot = async (name: string, append: string): Promise<Guest> =>
    recordTranscript(`nfs-${name}`, await bootGuest({ initrd, append, nics: [{ network: 'user', mac }], timeoutMs: bootTimeoutMs }));

  it(
    'NFSv3 with the network section (DHCP): the handoff runs on the NFS root and writes into the export',
    async () => {
      await startNfsServer(guestRoot, ports);
      const guest = await boot('v3', '');
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      const text = reportOf(transcript);
      const line = text.split('\n').find((entry) => entry.startsWith(`10.0.2.2:${guestRoot} / `));
      expect(line?.split(' ').slice(2, 3)).toEqual(['nfs']);
      expect(line?.split(' ')[3]?.split(',')).toEqual(expect.arrayContaining(['rw', 'vers=3', 'nolock', 'proto=tcp', `port=${ports.port}`, `mountport=${ports.mountPort}`, 'mountproto=tcp', 'addr=10.0.2.2']));
      expect(text).toContain('"hostname": "nfs3"');
      expect(text).toContain('nameserver 10.0.2.3');
      expect(readFileSync(join(guestRoot, 'written-by-3'), 'utf8')).toBe('written by the guest\n');
    },
    testTimeoutMs,
  );

  it(
    'NFSv4 with ip= and no network section: the handoff runs on an nfs4 root and writes into the export',
    async () => {
      await startNfsServer(guestRoot, ports);
      const guest = await boot('v4', `bootstrap.config=${configPathFor('v4')} ip=10.0.2.15::10.0.2.2:255.255.255.0:nfs4:eth0:off:10.0.2.3`);
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      const text = reportOf(transcript);
      const line = text.split('\n').find((entry) => entry.startsWith(`10.0.2.2:${guestRoot} / `));
      expect(line?.split(' ').slice(2, 3)).toEqual(['nfs4']);
      const options = line?.split(' ')[3]?.split(',') ?? [];
      expect(options).toEqual(expect.arrayContaining(['rw', 'proto=tcp', `port=${ports.port}`, 'addr=10.0.2.2']));
      // Version 4 is tried as 4.2 first, which Ganesha 4.3 has.
      expect(options).toEqual(expect.arrayContaining(['vers=4.2', 'timeo=100', 'retrans=2']));
      expect(text).toContain('"hostname": "nfs4"');
      expect(readFileSync(join(guestRoot, 'written-by-4'), 'utf8')).toBe('written by the guest\n');
    },
    testTimeoutMs,
  );

  it(
    'no server on the port: the emergency action within the timeout, naming server, export and errno',
    async () => {
      const guest = await boot('absent', `bootstrap.config=${configPathFor('absent')}`);
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      expect(transcript).toMatch(new RegExp(`connect\\(address="10\\.0\\.2\\.2", port=${closedPort}\\): ECONNREFUSED .*NFS server 10\\.0\\.2\\.2 \\(export ${guestRoot}\\) did not take a TCP connection on port ${closedPort} within 5000ms`));
      expect(transcript).toMatch(/bootstrap: poweroff/);
      expect(transcript).not.toContain('nfs-report-begin');
      expect(existsSync(join(guestRoot, 'written-by-absent'))).toBe(false);
    },
    testTimeoutMs,
  );

  it(
    'a server that takes the connection and never answers: mount(2) fails with EIO within its RPC bound, naming server and export',
    async () => {
      const guest = await boot('silent', `bootstrap.config=${configPathFor('silent')}`);
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      expect(transcript).toMatch(new RegExp(`error: .*mount\\(source="10\\.0\\.2\\.2:${guestRoot}", .*\\): EIO .*NFS server 10\\.0\\.2\\.2 refused or failed export ${guestRoot}`));
      // The guest's own clock, from the mount's start to the failure it reports: (2 + 1) × 10 s, and some slack for TCG.
      const started = /\[ *([\d.]+)\] bootstrap: phase switchRoot/.exec(transcript);
      const failed = /\[ *([\d.]+)\] bootstrap: error: {3}call: {3}mount failed with EIO/.exec(transcript);
      const seconds = Number(failed?.[1]) - Number(started?.[1]);
      console.log(`silent NFS server: mount(2) failed after ${seconds.toFixed(1)} s`);
      expect(seconds).toBeGreaterThan(25);
      expect(seconds).toBeLessThan(45);
    },
    testTimeoutMs,
  );

  it(
    'no network section and no ip=: the emergency action before anything is mounted, saying what to add',
    async () => {
      const guest = await boot('no-network', `bootstrap.config=${configPathFor('v4')}`);
      const transcript = await waitForPowerOff(guest, bootTimeoutMs);
      expect(transcript).toContain(`cannot plan the boot: /switchRoot/rootFileSystem: the root is NFS (10.0.2.2:${guestRoot}) and nothing configures the network before it is mounted`);
      expect(transcript).toMatch(/bootstrap: poweroff/);
      expect(transcript).not.toContain('phase switchRoot');
    },
    testTimeoutMs,
  );
});
