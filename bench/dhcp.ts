// Time from "link up" to "lease bound" on QEMU's user networking (slirp's DHCP server), our client against busybox
// udhcpc in the same guest boot: bootstrap's network step takes a lease for eth0 while it boots (its own log lines
// say when it set the link up and when the lease came, on the guest's monotonic clock), then the handoff script
// takes the address away, sets the link down, and times udhcpc from the same start event (just before the link is
// set up) to its script's `bound`, with /proc/uptime. Several boots; medians and their ratio.
import { join } from 'node:path';
import { median } from './median';
import { bootGuest, buildGuestRoot, packBootstrap, readKernelEnv, removeTempDirs, stopAll, tempDir, waitForExit, writeGuestScript } from '../harness/vm';

const runs = Number(process.env['BENCH_RUNS'] ?? 5);
const kernel = readKernelEnv();
const work = tempDir('bench-dhcp');
const guestRoot = buildGuestRoot(join(work, 'guest-root'));

// udhcpc with its defaults (busybox 1.35: -T 3 s between DISCOVERs); its script prints the uptime at `bound`.
writeGuestScript(guestRoot, '/bench-udhcpc', `ip addr flush dev eth0
ip link set eth0 down
sleep 1
read up rest < /proc/uptime
echo "udhcpc-link-up $up"
ip link set eth0 up
read up rest < /proc/uptime
echo "udhcpc-starts $up"
busybox udhcpc -i eth0 -f -q -n -t 10 -s /bench-bound
poweroff -f
`);
writeGuestScript(guestRoot, '/bench-bound', `if [ "$1" = bound ]; then read up rest < /proc/uptime; echo "udhcpc-bound $up ip=$ip"; fi
`);

const initrd = packBootstrap({
  work,
  output: join(work, 'initrd'),
  kernel,
  config: `console: console
logLevel: debug
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs, virtio_net]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
network:
  waitOnline: 30s
  ethernets:
    eth0: {dhcp4: true}
postSwitch:
  handoff: {mode: exec, program: /bench-udhcpc}
`,
});

const ourUp = /\[\s*([\d.]+)\] bootstrap: debug: network eth0: setting eth0 up/;
const ourBound = /\[\s*([\d.]+)\] bootstrap: network eth0: DHCP lease 10\.0\.2\.15\/24/;
const theirUp = /udhcpc-link-up ([\d.]+)/;
const theirStart = /udhcpc-starts ([\d.]+)/;
const theirBound = /udhcpc-bound ([\d.]+) ip=10\.0\.2\.15/;

async function measure(): Promise<{ ours: number; udhcpc: number; udhcpcAlone: number }> {
  const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, nics: [{ network: 'user', mac: '52:54:00:12:34:56' }], timeoutMs: 180_000 });
  try {
    await waitForExit(guest, 180_000);
    const text = guest.console();
    if (process.env['BENCH_VERBOSE']) console.log(text.slice(text.indexOf('setting eth0 up') - 40));
    const seconds = (pattern: RegExp): number => {
      const match = pattern.exec(text);
      if (!match) throw new Error(`the guest printed nothing matching ${String(pattern)}:\n${text}`);
      return Number(match[1]);
    };
    return { ours: seconds(ourBound) - seconds(ourUp), udhcpc: seconds(theirBound) - seconds(theirUp), udhcpcAlone: seconds(theirBound) - seconds(theirStart) };
  } finally {
    await guest.kill().catch(() => undefined);
  }
}

const ours: number[] = [];
const udhcpc: number[] = [];
// udhcpc's time without the `ip link set up` before it (a program start of its own under TCG), for the record.
const udhcpcAlone: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const sample = await measure();
    ours.push(sample.ours);
    udhcpc.push(sample.udhcpc);
    udhcpcAlone.push(sample.udhcpcAlone);
    console.log(`  boot ${run + 1}: bootstrap ${(sample.ours * 1000).toFixed(0)} ms, udhcpc ${(sample.udhcpc * 1000).toFixed(0)} ms`);
  }
} finally {
  await stopAll();
  removeTempDirs();
}

const ms = (values: number[]): string => values.map((value) => (value * 1000).toFixed(0)).join(' ');
console.log(`"link up" → "lease bound" on QEMU user networking (slirp DHCP), QEMU TCG, kernel ${kernel.version}, ${runs} boots, both clients in each`);
console.log(`  bootstrap      median ${(median(ours) * 1000).toFixed(0)} ms   (${ms(ours)})`);
console.log(`  busybox udhcpc median ${(median(udhcpc) * 1000).toFixed(0)} ms   (${ms(udhcpc)})`);
console.log(`  ratio bootstrap / udhcpc: ${(median(ours) / median(udhcpc)).toFixed(2)}x`);
console.log(`  (udhcpc from after \`ip link set eth0 up\` returned: median ${(median(udhcpcAlone) * 1000).toFixed(0)} ms (${ms(udhcpcAlone)}); /proc/uptime ticks are 10 ms)`);
