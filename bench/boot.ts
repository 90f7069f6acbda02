// Boot time from QEMU's start to the handoff program's first line: `bootstrap pack`'s image under every
// `--compress` choice against a busybox-script initramfs doing the same steps (modules, virtiofs root, switch
// root, exec the guest's init), in the same QEMU set-up (same kernel, TCG, -cpu max), boots interleaved. Prints,
// per image, the median guest uptime and host wall time at the handoff, the ratio to busybox, the median uptime
// of each boot stage (from the kernel's log and the inits' first lines) and the image sizes. Also QEMU's own CPU
// time (user + system, all its threads) at "Run /init" and at the handoff: under TCG the guest's clock follows the
// host's, so a loaded host inflates the uptimes, while QEMU's CPU time counts only while QEMU runs.
// BENCH_RUNS (default 5) boots per image; BENCH_COMPRESS=none,zstd limits the compressions;
// BENCH_BINARIES=name=path,name=path compares several builds of bootstrap (default: bootstrap=dist/bootstrap),
// each packing its own images, all interleaved with busybox.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median } from './median';
import { processCpuSeconds } from './process-cpu';
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
/** The builds to compare, by name: BENCH_BINARIES=name=path,… (paths relative to the repository's root). */
function parseBinaries(text: string): Map<string, string> {
  const binaries = new Map<string, string>();
  for (const entry of text.split(',')) {
    const equals = entry.indexOf('=');
    if (equals <= 0) throw new Error(`BENCH_BINARIES: ${entry} is not name=path`);
    const path = resolve(root, entry.slice(equals + 1));
    if (!existsSync(path)) throw new Error(`BENCH_BINARIES: ${path} does not exist`);
    binaries.set(entry.slice(0, equals), path);
  }
  return binaries;
}
const binaries = parseBinaries(process.env['BENCH_BINARIES'] ?? 'bootstrap=dist/bootstrap');

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

function pack(build: string, binary: string, compress: Compression): string {
  const output = join(work, `${build}-${compress}.img`);
  execFileSync(binary, ['pack', '--config', config, '--output', output, '--modules-from', kernel.modules, '--compress', compress], { stdio: 'ignore' });
  return output;
}

const baseline = buildBaselineInitramfs({ root: 'virtiofs', output: join(work, 'baseline.cpio'), kernel }).initrd;
const baselineZstd = join(work, 'baseline.cpio.zst');
execFileSync('zstd', ['-q', '-f', '-9', baseline, '-o', baselineZstd]);
const busybox = 'busybox script';
const subjects = new Map<string, string>([[busybox, baselineZstd]]);
for (const [build, binary] of binaries) {
  for (const compress of chosen) {
    subjects.set(`${build} ${compress}${compress === defaultCompression ? ' (default)' : ''}`, pack(build, binary, compress));
  }
}

/**
 * One boot: host seconds from QEMU's start to the handoff line, each stage's guest uptime (NaN if absent), and
 * QEMU's CPU seconds when the console showed "Run /init" and the handoff line.
 */
interface Sample {
  wall: number;
  stages: number[];
  cpuAtInit: number;
  cpu: number;
}
const runInitPattern = /Run \/init as init process/;

async function measure(initrd: string): Promise<Sample> {
  const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: 120_000 });
  try {
    const qemuPid = guest.pids.qemu;
    if (qemuPid === undefined) throw new Error('QEMU has no process id');
    const init = await guest.waitFor(runInitPattern, 120_000);
    const cpuAtInit = processCpuSeconds(qemuPid);
    const reached = await guest.waitFor(guestInitPattern, 120_000, init.end);
    const cpu = processCpuSeconds(qemuPid);
    await waitForExit(guest, 120_000);
    if (guest.panicked()) throw new Error(`guest panicked:\n${guest.console()}`);
    const text = guest.console();
    const uptimes = stages.map(({ pattern }) => {
      const match = pattern.exec(text);
      return match ? Number(match.slice(1).find((group) => group !== undefined)) : Number.NaN;
    });
    return { wall: reached.elapsedMs / 1000, stages: uptimes, cpuAtInit, cpu };
  } finally {
    await guest.kill().catch(() => undefined);
  }
}

// Measured before the temporary directory goes.
const sizes = new Map([...subjects].map(([name, path]) => [name, statSync(path).size]));
const samples = new Map<string, Sample[]>([...subjects.keys()].map((name) => [name, []]));
try {
  // Each round starts one image later than the round before: a boot's place in the round (right after which
  // other boot, how long after the host's last quiet moment) shifts its uptime by up to half a second, and a fixed
  // order would hand that shift to the same image every time.
  const order = [...subjects];
  for (let run = 0; run < runs; run++) {
    for (const [name, initrd] of [...order.slice(run % order.length), ...order.slice(0, run % order.length)]) {
      samples.get(name)!.push(await measure(initrd));
    }
  }
} finally {
  await stopAll();
  removeTempDirs();
}

const handoff = stages.length - 1;
const medianOf = (name: string, pick: (sample: Sample) => number): number => median(samples.get(name)!.map(pick).filter((value) => !Number.isNaN(value)));
const uptimeOf = (sample: Sample): number => sample.stages[handoff]!;
const cpuOf = (sample: Sample): number => sample.cpu;
const initToHandoff = (sample: Sample): number => sample.cpu - sample.cpuAtInit;
const width = Math.max(...[...subjects.keys()].map((name) => name.length)) + 2;
console.log(`QEMU's start → handoff program's first line, ${runs} boots each (interleaved), QEMU TCG -cpu max, virtiofs root, kernel ${kernel.version}`);
// Besides the ratio of the medians, the median of each round's ratio (a boot against the busybox boot just before
// it), which drifts less when the host's load changes during the run.
const ratios = (name: string, pick: (sample: Sample) => number): { ratio: number; paired: number } => ({
  ratio: medianOf(name, pick) / medianOf(busybox, pick),
  paired: median(samples.get(name)!.map((sample, run) => pick(sample) / pick(samples.get(busybox)![run]!))),
});
const spread = (name: string, pick: (sample: Sample) => number): string => {
  const values = samples.get(name)!.map(pick);
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
};
const ratioCells = ({ ratio, paired }: { ratio: number; paired: number }): string => `${ratio.toFixed(2)}x  ${paired.toFixed(2)}x`;
console.log(`${''.padEnd(width)}uptime (s)  ratio  paired  QEMU CPU (s)  ratio  paired   wall (s)  ratio   uptime range  CPU range`);
for (const name of subjects.keys()) {
  const wall = medianOf(name, (sample) => sample.wall);
  console.log(
    `${name.padEnd(width)}${medianOf(name, uptimeOf).toFixed(2).padStart(10)}  ${ratioCells(ratios(name, uptimeOf))}  ${medianOf(name, cpuOf).toFixed(2).padStart(12)}  ${ratioCells(ratios(name, cpuOf))}  ${wall.toFixed(2).padStart(8)}  ${(wall / medianOf(busybox, (sample) => sample.wall)).toFixed(2)}x   ${spread(name, uptimeOf).padStart(12)}  ${spread(name, cpuOf)}`,
  );
}
const defaultName = `${[...binaries.keys()][0]!} ${defaultCompression} (default)`;
if (samples.has(defaultName)) {
  const uptime = ratios(defaultName, uptimeOf);
  const cpu = ratios(defaultName, cpuOf);
  console.log(
    // The target is the issue's, in guest uptime; QEMU's CPU total is diluted by QEMU's own start, so it gets no verdict.
    `${defaultName} / busybox: guest uptime ${uptime.ratio.toFixed(2)}x (paired ${uptime.paired.toFixed(2)}x; target <= ${target}x: ${uptime.ratio <= target ? 'met' : 'NOT met'}), QEMU CPU ${cpu.ratio.toFixed(2)}x (paired ${cpu.paired.toFixed(2)}x)`,
  );
}
console.log('\neach boot (guest uptime s / QEMU CPU s at the handoff / QEMU CPU s from "Run /init" to the handoff):');
for (const name of subjects.keys()) {
  console.log(`  ${name.padEnd(width)}${samples.get(name)!.map((sample) => `${uptimeOf(sample).toFixed(2)}/${sample.cpu.toFixed(2)}/${initToHandoff(sample).toFixed(2)}`).join(' ')}`);
}
// The init's own share: the kernel's start and the unpack (which grows with the image) left out.
console.log('\nQEMU CPU (s) at "Run /init", and from there to the handoff (the init\'s own share): median, range');
for (const name of subjects.keys()) {
  console.log(
    `  ${name.padEnd(width)}${medianOf(name, (sample) => sample.cpuAtInit).toFixed(2).padStart(6)}  ${medianOf(name, initToHandoff).toFixed(2).padStart(6)}  ${spread(name, initToHandoff)}`,
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
