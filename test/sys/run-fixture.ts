// Runs a fixture script as PID 1 of fresh mount, PID and UTS namespaces, so real syscalls cannot touch the host.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
// The pinned Node 24 (the machine's own node is 20).
const node = join(root, 'node_modules/.bin/node');

/** How a fixture's process tree ended and what it printed. */
export interface FixtureRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How to run a fixture. */
export interface FixtureOptions {
  /** Run under script(1), so the fixture's stdio is a pseudo-terminal that is its controlling tty. */
  tty?: boolean;
  /** Also a fresh network namespace, so per-namespace sysctls and interfaces can be changed. */
  net?: boolean;
}

/** Runs `test/sys/fixtures/<name>.ts` with `args` inside `unshare` and returns how it ended and what it printed. */
export function runFixture(name: string, args: readonly string[] = [], options: FixtureOptions = {}): FixtureRun {
  const unshare = ['unshare', '--mount', '--pid', '--fork', '--uts', ...(options.net ? ['--net'] : []), '--mount-proc', '--propagation', 'private'];
  const command = [...unshare, node, '--import', 'tsx', join(root, 'test/sys/fixtures', `${name}.ts`), ...args];
  const [program, ...rest] = options.tty ? ['script', '-qec', command.map(shellWord).join(' '), '/dev/null'] : command;
  const result = spawnSync(program ?? 'unshare', rest, { cwd: root, encoding: 'utf8', timeout: 25_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** `word` as one word of a shell command line: script(1) runs its command through the shell, and the checkout's path may hold anything. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The JSON object the fixture printed on its last `{`-line; fails with the fixture's output when it failed. */
export function fixtureResult<T>(run: FixtureRun): T {
  const line = fixtureLines(run).at(-1);
  if (line === undefined || run.status !== 0) throw new Error(`fixture failed\n${describe(run)}`);
  return JSON.parse(line) as T;
}

/** Every `{`-line the fixture printed, in order (a fixture that execs prints one before and one after). */
export function fixtureLines(run: FixtureRun): string[] {
  return run.stdout
    .split(/\r?\n/)
    .map((text) => text.trim())
    .filter((text) => text.startsWith('{'));
}

/** How a fixture ended and everything it printed, for assertion messages. */
export function describe(run: FixtureRun): string {
  return `status ${String(run.status)}, signal ${String(run.signal)}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
