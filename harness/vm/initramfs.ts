// Packs a directory (or chosen files of it) into a newc initramfs with the system's cpio.
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TestBedError } from './test-bed-error';

/** What to pack. */
export interface InitramfsSpec {
  /** The tree that becomes the guest's `/`. */
  dir: string;
  /** The archive to write. */
  output: string;
  /** Paths relative to `dir` to include (their parent directories are added); default: everything. */
  files?: readonly string[];
  /** The kernel reads all three; none is the fastest to build and to unpack. */
  compress?: 'none' | 'gzip' | 'zstd';
}

/** Writes the archive and returns its path; entries are owned by root whoever runs the test. */
export function packInitramfs(spec: InitramfsSpec): string {
  const entries = spec.files ? withParents(spec.files) : walk(spec.dir);
  const raw = spec.compress && spec.compress !== 'none' ? `${spec.output}.cpio` : spec.output;
  const out = openSync(raw, 'w');
  try {
    run('cpio', ['--null', '--create', '--format=newc', '--owner=0:0', '--quiet'], {
      cwd: spec.dir,
      input: entries.map((entry) => `${entry}\0`).join(''),
      stdout: out,
    });
  } finally {
    closeSync(out);
  }
  if (raw !== spec.output) {
    const tool = spec.compress === 'gzip' ? ['gzip', '-9', '-n', '-f'] : ['zstd', '-q', '-f', '--rm', '-19'];
    const [command, ...args] = tool as [string, ...string[]];
    run(command, [...args, raw], {});
    renameSync(`${raw}${spec.compress === 'gzip' ? '.gz' : '.zst'}`, spec.output);
    rmSync(raw, { force: true });
  }
  return spec.output;
}

// The kernel's unpacker does not create missing parents, and a parent must come before its children:
// a sorted list does that, since a path sorts before every path it is a prefix of.
function withParents(files: readonly string[]): string[] {
  const all = new Set<string>();
  for (const file of files) {
    const parts = file.replace(/^\.?\/+/, '').split('/').filter((part) => part !== '');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return [...all].sort();
}

function walk(dir: string): string[] {
  const entries: string[] = [];
  const visit = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      entries.push(relative(dir, full));
      if (lstatSync(full).isDirectory()) visit(full);
    }
  };
  visit(dir);
  return entries;
}

function run(command: string, args: string[], options: { cwd?: string; input?: string; stdout?: number }): void {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    input: options.input,
    stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.error) throw new TestBedError(`${command} could not run (${result.error.message}): run scripts/setup/all.sh`);
  if (result.status !== 0) throw new TestBedError(`${command} ${args.join(' ')} failed (status ${String(result.status)}):\n${result.stderr}`);
}
