// Owns every process and temporary directory the harness creates, so no test leaves qemu or virtiofsd behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How a tracked process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: string;
}

/** A spawned process with a promise of its end. */
export interface TrackedProcess {
  child: ChildProcess;
  exited: Promise<ProcessExit>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

const live = new Set<TrackedProcess>();
const tempDirs = new Set<string>();

/**
 * Spawns `command` under `setpriv --pdeathsig KILL`: if the test worker itself dies (a crash, a
 * SIGKILL from the runner), the kernel kills the child too, which no exit handler could do.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): TrackedProcess {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], options);
  const exited = new Promise<ProcessExit>((resolve) => {
    // 'close' rather than 'exit': it comes after stdout is drained, so no last console line is lost.
    child.once('close', (code, signal) => resolve({ code, signal }));
    // A spawn failure (setpriv missing) emits 'error' and no 'exit'.
    child.once('error', (error) => resolve({ code: null, signal: null, error: error.message }));
  });
  const tracked: TrackedProcess = {
    child,
    exited,
    stop: async (graceMs = 2000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
  live.add(tracked);
  void exited.then(() => live.delete(tracked));
  return tracked;
}

/** Stops every process the harness started that is still running; call it in afterEach. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((tracked) => tracked.stop(500)));
}

/** A fresh directory under the system temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bootstrap-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** Removes every `tempDir()`; call it in afterAll, since test runners may end workers without an 'exit' event. */
export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

// 'exit' handlers must be synchronous: SIGKILL cannot be refused, and rmSync finishes before exit.
process.once('exit', () => {
  for (const tracked of live) tracked.child.kill('SIGKILL');
  removeTempDirs();
});
