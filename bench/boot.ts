// Boot time of our initramfs against a busybox-script initramfs doing the same steps (modules, virtiofs root,
// switch root, exec the guest's init), in the same QEMU set-up, several boots each, interleaved. Prints the
// median time from the kernel's "Run /init" to the handoff program's first line, the ratio, and image sizes.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './median';
import {
  bootGuest,
  buildBaselineInitramfs,
  buildGuestRoot,
  guestInitPattern,
  readKernelEnv,
  removeTempDirs,
  stopAll,
  tempDir,
  waitForExit,
} from '../harness/vm';

const runs = Number(process.env['BENCH_RUNS'] ?? 5);
const target = 2.0;
const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');
const runInitPattern = /\[\s*([\d.]+)\] Run \/init as init process/;

const kernel = readKernelEnv();
const work = tempDir('bench-boot');
const guestRoot = buildGuestRoot(join(work, 'guest-root'));
const config = join(work, 'bootstrap.yaml');
writeFileSync(
  config,
  `console: console
logLevel: warn
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`,
);

function pack(compress: string): string {
  const output = join(work, `bootstrap-${compress}.img`);
  execFileSync(binary, ['pack', '--config', config, '--output', output, '--modules-from', kernel.modules, '--compress', compress], { stdio: 'ignore' });
  return output;
}

const images = { none: pack('none'), gzip: pack('gzip'), zstd: pack('zstd') };
const baseline = buildBaselineInitramfs({ root: 'virtiofs', output: join(work, 'baseline.cpio'), kernel }).initrd;
const baselineZstd = join(work, 'baseline.cpio.zst');
execFileSync('zstd', ['-q', '-f', '-9', baseline, '-o', baselineZstd]);

async function measure(initrd: string): Promise<number> {
  const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: 120_000 });
  try {
    const start = await guest.waitFor(runInitPattern, 120_000);
    const reached = await guest.waitFor(guestInitPattern, 120_000, start.end);
    await waitForExit(guest, 120_000);
    if (guest.panicked()) throw new Error(`guest panicked:\n${guest.console()}`);
    return Number(reached.match[2]) - Number(start.match[1]);
  } finally {
    await guest.kill().catch(() => undefined);
  }
}

const sizes: [string, number][] = [
  ...Object.entries(images).map(([compress, path]): [string, number] => [`bootstrap --compress ${compress}`, statSync(path).size]),
  ['busybox script (none)', statSync(baseline).size],
  ['busybox script (zstd)', statSync(baselineZstd).size],
];

const subjects: Record<string, string> = { 'busybox script': baselineZstd, bootstrap: images.zstd };
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, initrd] of Object.entries(subjects)) samples[name]!.push(await measure(initrd));
  }
} finally {
  await stopAll();
  removeTempDirs();
}

console.log(`"Run /init" → handoff program's first line (guest uptime), ${runs} boots each, QEMU TCG, virtiofs root, kernel ${kernel.version}`);
for (const [name, values] of Object.entries(samples)) {
  console.log(`  ${name.padEnd(16)} median ${median(values).toFixed(3)} s   (${values.map((value) => value.toFixed(2)).join(' ')})`);
}
const ratio = median(samples['bootstrap']!) / median(samples['busybox script']!);
console.log(`  ratio bootstrap / busybox: ${ratio.toFixed(2)}x (target <= ${target}x): ${ratio <= target ? 'met' : 'NOT met'}`);
console.log('initramfs size:');
for (const [name, size] of sizes) console.log(`  ${name.padEnd(26)} ${(size / 1048576).toFixed(1)} MiB`);
