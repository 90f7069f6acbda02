// Boot time from QEMU's start to the handoff program's first line: `bootstrap pack`'s image under every
// `--compress` choice against a busybox-script initramfs doing the same steps (modules, virtiofs root, switch
// root, exec the guest's init), in the same QEMU set-up (same kernel, TCG, -cpu max), boots interleaved. Prints,
// per image, the median guest uptime and host wall time at the handoff, the ratio to busybox, the median uptime
// of each boot stage (from the kernel's log and the inits' first lines) and the image sizes.
// BENCH_RUNS (default 5) boots per image; BENCH_COMPRESS=none,zstd limits the compressions.
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './median';
import { compressions, defaultCompression, type Compression } from '../src/pack/compress';
import {
  baselineStartedPattern,
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
const chosen = (process.env['BENCH_COMPRESS'] ?? compressions.join(',')).split(',') as Compression[];
for (const each of chosen) if (!compressions.includes(each)) throw new Error(`BENCH_COMPRESS: ${each} is none of ${compressions.join(', ')}`);
const target = 1.8;
const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');

/** A boot stage: its name in the table and the console line that marks it (group 1: guest uptime in s). */
interface Stage {
  name: string;
  pattern: RegExp;
}
const stages: Stage[] = [
  { name: 'unpack starts', pattern: /\[\s*([\d.]+)\] Trying to unpack rootfs image as initramfs/ },
  { name: 'unpacked', pattern: /\[\s*([\d.]+)\] Freeing initrd memory/ },
  { name: '"Run /init"', pattern: /\[\s*([\d.]+)\] Run \/init as init process/ },
  // The busybox script's first line, or bootstrap's first log line (its uptime stamp).
  { name: 'init first line', pattern: new RegExp(`${baselineStartedPattern.source}|\\[\\s*([\\d.]+)\\] bootstrap:`) },
  { name: 'handoff', pattern: new RegExp(guestInitPattern.source.replace('(\\d+)', '\\d+')) },
];

const kernel = readKernelEnv();
const work = tempDir('bench-boot');
const guestRoot = buildGuestRoot(join(work, 'guest-root'));
const config = join(work, 'bootstrap.yaml');
// info: bootstrap's first line comes from its first step, as the busybox script's from its first command.
writeFileSync(
  config,
  `console: console
logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`,
);

function pack(compress: Compression): string {
  const output = join(work, `bootstrap-${compress}.img`);
  execFileSync(binary, ['pack', '--config', config, '--output', output, '--modules-from', kernel.modules, '--compress', compress], { stdio: 'ignore' });
  return output;
}

const baseline = buildBaselineInitramfs({ root: 'virtiofs', output: join(work, 'baseline.cpio'), kernel }).initrd;
const baselineZstd = join(work, 'baseline.cpio.zst');
execFileSync('zstd', ['-q', '-f', '-9', baseline, '-o', baselineZstd]);
const busybox = 'busybox script';
const subjects = new Map<string, string>([[busybox, baselineZstd]]);
for (const compress of chosen) {
  subjects.set(`bootstrap ${compress}${compress === defaultCompression ? ' (default)' : ''}`, pack(compress));
}

/** One boot: host seconds from QEMU's start to the handoff line, and each stage's guest uptime (NaN if absent). */
interface Sample {
  wall: number;
  stages: number[];
}

async function measure(initrd: string): Promise<Sample> {
  const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: 120_000 });
  try {
    const reached = await guest.waitFor(guestInitPattern, 120_000);
    await waitForExit(guest, 120_000);
    if (guest.panicked()) throw new Error(`guest panicked:\n${guest.console()}`);
    const text = guest.console();
    const uptimes = stages.map(({ pattern }) => {
      const match = pattern.exec(text);
      return match ? Number(match.slice(1).find((group) => group !== undefined)) : Number.NaN;
    });
    return { wall: reached.elapsedMs / 1000, stages: uptimes };
  } finally {
    await guest.kill().catch(() => undefined);
  }
}

// Measured before the temporary directory goes.
const sizes = new Map([...subjects].map(([name, path]) => [name, statSync(path).size]));
const samples = new Map<string, Sample[]>([...subjects.keys()].map((name) => [name, []]));
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, initrd] of subjects) samples.get(name)!.push(await measure(initrd));
  }
} finally {
  await stopAll();
  removeTempDirs();
}

const handoff = stages.length - 1;
const medianOf = (name: string, pick: (sample: Sample) => number): number => median(samples.get(name)!.map(pick).filter((value) => !Number.isNaN(value)));
const baseUptime = medianOf(busybox, (sample) => sample.stages[handoff]!);
const baseWall = medianOf(busybox, (sample) => sample.wall);
const width = Math.max(...[...subjects.keys()].map((name) => name.length)) + 2;
console.log(`QEMU's start → handoff program's first line, ${runs} boots each (interleaved), QEMU TCG -cpu max, virtiofs root, kernel ${kernel.version}`);
// Besides the ratio of the medians, the median of each round's ratio (a boot against the busybox boot just before
// it), which drifts less when the host's load changes during the run.
const pairedRatio = (name: string): number =>
  median(samples.get(name)!.map((sample, run) => sample.stages[handoff]! / samples.get(busybox)![run]!.stages[handoff]!));
console.log(`${''.padEnd(width)}uptime (s)  ratio  paired   wall (s)  ratio   uptimes of each boot`);
for (const name of subjects.keys()) {
  const uptime = medianOf(name, (sample) => sample.stages[handoff]!);
  const wall = medianOf(name, (sample) => sample.wall);
  const each = samples.get(name)!.map((sample) => sample.stages[handoff]!.toFixed(2)).join(' ');
  console.log(
    `${name.padEnd(width)}${uptime.toFixed(2).padStart(10)}  ${(uptime / baseUptime).toFixed(2)}x  ${pairedRatio(name).toFixed(2)}x  ${wall.toFixed(2).padStart(8)}  ${(wall / baseWall).toFixed(2)}x   ${each}`,
  );
}
const defaultName = `bootstrap ${defaultCompression} (default)`;
if (samples.has(defaultName)) {
  const ratio = medianOf(defaultName, (sample) => sample.stages[handoff]!) / baseUptime;
  console.log(
    `default image / busybox (guest uptime): ${ratio.toFixed(2)}x, paired ${pairedRatio(defaultName).toFixed(2)}x (target <= ${target}x): ${ratio <= target ? 'met' : 'NOT met'}`,
  );
}
console.log('\nmedian guest uptime (s) at each stage:');
console.log(`| stage | ${[...subjects.keys()].join(' | ')} |`);
console.log(`|---|${[...subjects.keys()].map(() => '---:').join('|')}|`);
for (const [index, stage] of stages.entries()) {
  const cells = [...subjects.keys()].map((name) => {
    const value = medianOf(name, (sample) => sample.stages[index]!);
    return Number.isNaN(value) ? '–' : value.toFixed(2);
  });
  console.log(`| ${stage.name} | ${cells.join(' | ')} |`);
}
console.log('\ninitramfs size:');
for (const [name, size] of sizes) console.log(`  ${name.padEnd(width)} ${(size / 1048576).toFixed(1)} MiB`);
