// Starts dist/bootstrap supervise as PID 1 of fresh PID and mount namespaces and lets a test watch and signal it.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childOf } from '../../harness/pid1';

export const binary = resolve(import.meta.dirname, '../../dist/bootstrap');

export interface RunningSupervisor {
  /** The supervisor's pid as the host sees it (PID 1 inside its namespace). */
  pid: number;
  dir: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with unshare's status: the supervisor's exit status, or 128+signal. */
  exited: Promise<number>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  signal(signal: NodeJS.Signals): void;
}

/** Writes `config` and starts the supervisor on it; `stdio` defaults to pipes the test reads, `socket` to DIR/control.sock. */
export function startSupervisor(config: string, options: Pid1ProgramOptions & { socket?: string } = {}): Promise<RunningSupervisor> {
  return startPid1Program(config, (file, dir) => ['supervise', '--config', file, '--socket', options.socket ?? join(dir, 'control.sock')], options);
}

/** How to start bootstrap as PID 1 of fresh namespaces. */
export interface Pid1ProgramOptions {
  stdio?: (number | 'pipe' | 'ignore')[];
  dirMode?: number;
  /** A named network namespace (/run/netns/NAME) to start in, through `ip netns exec`; the host's otherwise. */
  netns?: string;
}

/** Writes `config` ($DIR replaced by a fresh temp dir) and starts `bootstrap ARGS` as PID 1 of PID and mount namespaces. */
export async function startPid1Program(config: string, args: (configFile: string, dir: string) => string[], options: Pid1ProgramOptions = {}): Promise<RunningSupervisor> {
  const dir = mkdtempSync(join(tmpdir(), 'pid1-'));
  if (options.dirMode !== undefined) chmodSync(dir, options.dirMode);
  const file = join(dir, 'bootstrap.yaml');
  writeFileSync(file, config.replaceAll('$DIR', dir));
  // --kill-child: PID 1 dies with the test's unshare; cwd is a temp dir so tests can see it moved to /.
  const command = ['unshare', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--kill-child', binary, ...args(file, dir)];
  // ip netns exec execs its command (the same pid), so the child of that pid is still PID 1.
  const [program, ...rest] = options.netns === undefined ? command : ['ip', 'netns', 'exec', options.netns, ...command];
  const child = spawn(program!, rest, {
    cwd: dir,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number>((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? 128 + (signal ? signalNumber(signal) : 0))));
  const pid = await childOf(child.pid!);
  return {
    pid,
    dir,
    child,
    output: () => text,
    exited,
    waitFor: async (pattern, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; output:\n${text}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    signal: (signal) => process.kill(pid, signal),
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGPWR: 30 } as Record<string, number>)[signal] ?? 0;
}

/** The signal mask fields of /proc/PID/status as numbers. */
export function signalMasks(pid: number): Record<'SigBlk' | 'SigIgn' | 'SigCgt', bigint> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): bigint => BigInt(`0x${new RegExp(`${name}:\\s*([0-9a-f]+)`).exec(status)?.[1] ?? '0'}`);
  return { SigBlk: field('SigBlk'), SigIgn: field('SigIgn'), SigCgt: field('SigCgt') };
}
