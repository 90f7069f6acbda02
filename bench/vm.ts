// `bootstrap vm -- true` against the same boot done by hand: virtiofsd and QEMU started directly with the busybox
// baseline initramfs (modules, virtiofs root, switch_root to the guest root's /sbin/init, which powers off).
// Wall time from starting to the end of everything, several runs each, interleaved, after one warm-up run of vm
// (it packs the cached base image). Prints the medians and the ratio.
import { join } from 'node:path';
import { median } from './median';
import { bedArgs, bootGuest, buildBaselineInitramfs, buildGuestRoot, readKernelEnv, removeTempDirs, startVm, stopAll, tempDir, waitForExit } from '../harness/vm';

const runs = Number(process.env['BENCH_RUNS'] ?? 3);
// vm's default RAM, so both guests are the same size.
const memoryMiB = 1024;

const kernel = readKernelEnv();
const work = tempDir('bench-vm');
const guestRoot = buildGuestRoot(join(work, 'guest-root'));
const cacheDir = join(work, 'cache');
const baseline = buildBaselineInitramfs({ root: 'virtiofs', output: join(work, 'baseline.cpio'), kernel }).initrd;

async function byHand(): Promise<number> {
  const started = performance.now();
  const guest = await bootGuest({ initrd: baseline, root: { kind: 'virtiofs', dir: guestRoot }, memory: memoryMiB, append: 'quiet', timeoutMs: 120_000 });
  const exit = await waitForExit(guest, 120_000);
  if (exit.code !== 0 || guest.panicked()) throw new Error(`the baseline guest failed (${JSON.stringify(exit)}):\n${guest.console()}`);
  return (performance.now() - started) / 1000;
}

async function withVm(): Promise<number> {
  const started = performance.now();
  const run = startVm([...bedArgs(kernel), '--root', guestRoot, '--', 'true'], { cacheDir });
  const exit = await run.exited;
  if (exit.code !== 0) throw new Error(`bootstrap vm failed (${JSON.stringify(exit)}):\n${run.stderr()}`);
  return (performance.now() - started) / 1000;
}

const samples: Record<string, number[]> = { 'by hand (busybox initramfs)': [], 'bootstrap vm -- true': [] };
let warmUp = 0;
try {
  warmUp = await withVm();
  for (let run = 0; run < runs; run++) {
    samples['by hand (busybox initramfs)']!.push(await byHand());
    samples['bootstrap vm -- true']!.push(await withVm());
  }
} finally {
  await stopAll();
  removeTempDirs();
}

console.log(`Wall time, start to exit, ${runs} runs each (interleaved), QEMU TCG, ${memoryMiB} MiB, virtiofs root, kernel ${kernel.version}`);
console.log(`  first bootstrap vm run (packs the cached base image): ${warmUp.toFixed(2)} s`);
for (const [name, values] of Object.entries(samples)) {
  console.log(`  ${name.padEnd(28)} median ${median(values).toFixed(2)} s   (${values.map((value) => value.toFixed(2)).join(' ')})`);
}
const ratio = median(samples['bootstrap vm -- true']!) / median(samples['by hand (busybox initramfs)']!);
console.log(`  ratio bootstrap vm / by hand: ${ratio.toFixed(2)}x`);
