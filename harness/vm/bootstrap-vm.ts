// Runs `dist/bootstrap vm` as a user would, for the vm tests and the benchmark: its output as it comes, its
// status, and the processes it started (found by the unique TMPDIR their command lines mention).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrapBinary } from './bootstrap-pack';
import type { KernelEnv } from './kernel-env';
import { tempDir } from './processes';
import { TestBedError } from './test-bed-error';
import { virtiofsdWrapper } from './virtiofsd';

/** How one vm run ended. */
export interface VmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `bootstrap vm`. */
export interface VmRun {
  readonly child: ChildProcess;
  /** Its TMPDIR, private to this run: the run directory, and so every socket path QEMU and virtiofsd get, is inside it. */
  readonly tmp: string;
  stdout(): string;
  stderr(): string;
  /** Resolves when `pattern` shows on stdout (or stderr with `stream`); rejects with both streams on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs: number, stream?: 'stdout' | 'stderr'): Promise<void>;
  readonly exited: Promise<VmExit>;
}

/** What every run of the bed passes: the cached kernel and modules, trixie's virtiofsd, TCG (no KVM here). */
export function bedArgs(kernel: KernelEnv): string[] {
  return ['--kernel', kernel.image, '--modules', kernel.modules, '--virtiofsd', virtiofsdWrapper, '--accel', 'tcg'];
}

/** Starts `bootstrap vm ARGS`; `cacheDir` becomes XDG_CACHE_HOME, so runs of one test file share one packed image. */
export function startVm(args: readonly string[], options: { cacheDir: string; stdin?: 'ignore' | 'pipe'; command?: readonly string[] }): VmRun {
  if (!existsSync(bootstrapBinary)) throw new TestBedError(`${bootstrapBinary} is missing: run npm run build`);
  const tmp = tempDir('vm-tmp');
  const [program, ...prefix] = options.command ?? [bootstrapBinary];
  const child = spawn(program!, [...prefix, 'vm', ...args], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: options.cacheDir, TMPDIR: tmp },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    notify();
  });
  let ended = false;
  const exited = new Promise<VmExit>((resolve) => {
    child.once('close', (code, signal) => {
      ended = true;
      notify();
      resolve({ code, signal });
    });
  });
  const waitFor = (pattern: RegExp, timeoutMs: number, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(stream === 'stdout' ? stdout : stderr)) return settle(resolve);
        if (ended) settle(() => reject(new TestBedError(`vm ended before its ${stream} showed ${String(pattern)}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`)));
      };
      const settle = (action: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        action();
      };
      const timer = setTimeout(() => settle(() => reject(new TestBedError(`vm's ${stream} did not show ${String(pattern)} within ${timeoutMs} ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`))), timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, tmp, stdout: () => stdout, stderr: () => stderr, waitFor, exited };
}

/** A process whose command line mentions a text. */
export interface FoundProcess {
  pid: number;
  commandLine: string;
}

/** Every live process (zombies excluded) whose command line contains `text`. */
export function processesMentioning(text: string): FoundProcess[] {
  const found: FoundProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const commandLine = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (!commandLine.includes(text)) continue;
      // A zombie has no command line left; its state says so too.
      if (/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${name}/stat`, 'utf8'))) continue;
      found.push({ pid: Number(name), commandLine });
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/** Waits up to `timeoutMs` until no process mentions `text`; returns those still there at the end. */
export async function waitUntilGone(text: string, timeoutMs: number): Promise<FoundProcess[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = processesMentioning(text);
    if (left.length === 0 || performance.now() > deadline) return left;
    await sleep(50);
  }
}
