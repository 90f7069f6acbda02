// Real subhosts for tests: a base directory under a temp dir, the built executable run as the CLI, and checks
// of what the host is left with (mounts, network namespaces, processes, state).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { binary } from '../supervise/run-supervisor';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `bootstrap ARGS` as a user runs it, bounded. */
export function cli(args: readonly string[], cwd = tmpdir(), timeoutMs = 60_000): CliRun {
  const run = spawnSync(binary, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A name no other test (or earlier run) uses: subhost state and network namespaces are the host's. */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 5)}`.slice(0, 12);
}

export interface SubhostDir {
  /** The temp directory holding the base. */
  top: string;
  /** The subhost's base directory, named after the subhost, with root, work and live. */
  base: string;
  name: string;
  config: string;
}

/** Every subhost name a test made, so that the test file's afterEach removes what they left (state, log). */
const createdNames = new Set<string>();

/** overlay-boot's layout: DIR/NAME/{root,work,live} and DIR/NAME/NAME.yaml holding `yaml` ($BASE replaced). */
export function subhostDir(prefix: string, yaml: string, directories: readonly string[] = ['root', 'work', 'live']): SubhostDir {
  const top = mkdtempSync(join(tmpdir(), 'subhost-'));
  const name = uniqueName(prefix);
  createdNames.add(name);
  const base = join(top, name);
  for (const directory of directories) mkdirSync(join(base, directory), { recursive: true });
  mkdirSync(base, { recursive: true });
  const config = join(base, `${name}.yaml`);
  writeFileSync(config, yaml.replaceAll('$BASE', base).replaceAll('$TOP', top));
  return { top, base, name, config };
}

/** A busybox root at `dir` (static busybox, its applets as symlinks, the directories a boot mounts on). */
export function busyboxTree(dir: string): void {
  for (const sub of ['bin', 'etc', 'proc', 'sys', 'dev', 'run', 'tmp', 'root']) mkdirSync(join(dir, sub), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  // Relative links: `busybox --install -s` would point them at this host path, which the subhost does not have.
  const applets = spawnSync('/bin/busybox', ['--list'], { encoding: 'utf8' });
  if (applets.status !== 0) throw new Error(`busybox --list: ${applets.stderr}`);
  for (const applet of applets.stdout.split('\n').filter((name) => name !== '' && name !== 'busybox')) symlinkSync('busybox', join(dir, 'bin', applet));
}

/** Mount points at or under `path` in this process's mount namespace (the host's). */
export function mountsUnder(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === path || point.startsWith(`${path}/`));
}

/** Named network namespaces, as `ip netns list` reads them. */
export function netnsNames(): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns') : [];
}

/** Host pids of processes in the PID namespace `link` (e.g. "pid:[4026532…]"). */
export function processesInNamespace(link: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^[0-9]+$/.test(entry))
    .filter((entry) => {
      try {
        return readlinkSync(`/proc/${entry}/ns/pid`) === link;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The subhost's status as `status --output json` prints it. */
export interface StatusJson {
  name: string;
  condition: string;
  pid1: number | null;
  mounts: { target: string }[];
  processes: { count: number; listed: { pid: number; hostPid: number; command: string }[] };
  cables: { cable: number; kind: string; host: string; inside: string | null; bridge: string | null; mac: string | null; hostState: string }[];
}

export function status(name: string): StatusJson {
  const run = cli(['subhost', 'status', name, '--output', 'json']);
  return JSON.parse(run.stdout) as StatusJson;
}

/** Stops `name` if it has state; for afterEach, so a failed test leaves nothing on the host. */
export function stopQuietly(name: string): void {
  if (existsSync(`/run/bootstrap/subhosts/${name}/state.json`)) cli(['subhost', 'stop', name]);
  // What stop keeps for an administrator (PID 1's log) is a test's litter.
  if (!existsSync(`/run/bootstrap/subhosts/${name}/state.json`)) rmSync(`/run/bootstrap/subhosts/${name}`, { recursive: true, force: true });
}

/**
 * For a test file: `start(CONFIG, NAME)`, a start expected to succeed, and `track(NAME)` for a subhost started
 * otherwise; each is stopped after its test, so that a failing test leaves nothing on the host.
 */
export function subhostStarter(): { start: (config: string, name: string) => void; track: (name: string) => void } {
  const started: string[] = [];
  afterEach(() => {
    for (const name of started.splice(0)) stopQuietly(name);
    for (const name of createdNames) stopQuietly(name);
    createdNames.clear();
  });
  const track = (name: string): void => void started.push(name);
  const start = (config: string, name: string): void => {
    track(name);
    const run = cli(['subhost', 'start', config]);
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`subhost ${name} (started|resumed): PID 1 is host pid [0-9]+`));
  };
  return { start, track };
}
