// PID 1 reaping and memory, side by side in one run: bootstrap supervise, tini and catatonit as PID 1 of a PID
// namespace over the same orphan storm (10,000 zombies re-parented at once); then our RSS with 10 idle services
// and its growth over 1,000 restarts of a crashing one.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { childOf, orphanStorm } from '../test/supervise/run-supervisor';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');
const orphans = Number(process.env['BENCH_ORPHANS'] ?? 10_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'bench-supervisor-'));

const stormProgram = orphanStorm();

// tsx, which runs this file, hands its loader to child processes through NODE_OPTIONS; the PID 1s measured
// here must start as they would anywhere else.
const { NODE_OPTIONS: _loader, ...cleanEnv } = process.env;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

// Zombies are still PID 1's children until reaped; its one live child is the workload's shell.
function zombiesOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
  return Math.max(0, children.length - 1);
}

function peakRssKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

interface StormResult {
  reapMs: number;
  left: number;
  peakRssKiB: number;
}

// The workload every PID 1 runs: the storm, then a pause so PID 1 stays up while we look.
const workload = ['/bin/sh', '-c', `${stormProgram} ${orphans}; echo storm-done; sleep 30`];

async function storm(name: string, command: string[]): Promise<StormResult> {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...command], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const pid1 = await childOf(child.pid!);
    const deadline = Date.now() + 60_000;
    while (!output.includes('storm-done')) {
      if (Date.now() > deadline) throw new Error(`${name}: the storm did not finish:\n${output}`);
      await sleep(1);
    }
    const started = performance.now();
    let left = zombiesOf(pid1);
    while (left > 0 && performance.now() - started < 30_000) {
      await sleep(1);
      left = zombiesOf(pid1);
    }
    return { reapMs: performance.now() - started, left, peakRssKiB: peakRssKiB(pid1) };
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

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`PID 1 of a PID namespace, ${orphans} zombies re-parented at once, ${runs} runs each (median)`);
console.log(`  ${'PID 1'.padEnd(10)} ${'reap time'.padStart(10)} ${'left'.padStart(6)} ${'peak RSS'.padStart(10)}`);
for (const [name, values] of Object.entries(results)) {
  console.log(`  ${name.padEnd(10)} ${`${median(values.map((value) => value.reapMs)).toFixed(0)} ms`.padStart(10)} ${String(Math.max(...values.map((value) => value.left))).padStart(6)} ${`${(median(values.map((value) => value.peakRssKiB)) / 1024).toFixed(1)} MiB`.padStart(10)}`);
}
const ratio = median(results['bootstrap']!.map((value) => value.reapMs)) / median(results['tini']!.map((value) => value.reapMs));
console.log(`  reap time bootstrap / tini: ${ratio.toFixed(2)}x (target <= 3x): ${ratio <= 3 ? 'met' : 'NOT met'}; zombies left: ${Math.max(...results['bootstrap']!.map((value) => value.left)) === 0 ? '0 (met)' : 'NOT 0'}`);

// Ten idle services and a crashing one restarted as fast as the backoff allows.
const idle = join(work, 'idle.yaml');
const services = Array.from({ length: 10 }, (_, index) => `      idle${index}: {program: /bin/sleep, arguments: ["3600"]}`).join('\n');
writeFileSync(idle, `logLevel: error\npostSwitch:\n  handoff:\n    mode: supervise\n    processes:\n${services}\n      crash: {program: /bin/sh, arguments: [-c, "exit 1"], stdout: "null", stderr: "null", backoff: {initial: 1ms, max: 1ms}, startLimit: {count: 100000, interval: 1s}}\n`);
const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', binary, 'supervise', '--config', idle, '--socket', join(work, 'idle.sock')], { stdio: 'ignore', env: cleanEnv });
try {
  const pid1 = await childOf(child.pid!);
  const restartsOf = (): number => {
    const status = JSON.parse(execFileSync(binary, ['ctl', '--socket', join(work, 'idle.sock'), 'status', '--output', 'json'], { encoding: 'utf8', env: cleanEnv })) as { services: { name: string; restarts: number }[] };
    return status.services.find((service) => service.name === 'crash')?.restarts ?? 0;
  };
  for (let tries = 0; tries < 500 && !existsSync(join(work, 'idle.sock')); tries++) await sleep(10);
  const waitRestarts = async (count: number): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (restartsOf() < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} restarts in 120 s`);
      // Each status request is work for the supervisor too: ask rarely, so the figure is the supervisor's own.
      await sleep(500);
    }
  };
  await waitRestarts(100);
  const after100 = rssKiB(pid1);
  await waitRestarts(1000);
  const after1000 = rssKiB(pid1);
  console.log(`10 idle services + 1 crash-looping: RSS ${(after100 / 1024).toFixed(1)} MiB after 100 restarts, ${(after1000 / 1024).toFixed(1)} MiB after 1,000 (target <= 60 MiB, not growing): ${after1000 <= 60 * 1024 && after1000 - after100 < 4 * 1024 ? 'met' : 'NOT met'}`);
} finally {
  child.kill('SIGKILL');
}
