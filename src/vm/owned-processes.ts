// The processes vm starts (virtiofsd, QEMU, the KVM probe): none may outlive it, however it ends.
// Each runs under `setpriv --pdeathsig KILL`, so the kernel kills it when vm dies, even by SIGKILL, and in a
// process group of its own, so a ^C typed at vm's terminal reaches vm alone and vm decides what it means.
// Every exit path of vm kills the groups: stopAll() on the way out, a SIGKILL from the 'exit' handler last.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

/** How a process ended; `error` when it could not be started at all. */
export interface OwnedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: string;
}

/** A process vm owns. */
export interface OwnedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its pid, which is also its process group's id. */
  readonly pid: number | undefined;
  readonly exited: Promise<OwnedExit>;
  /** What it wrote on stderr (when stderr is a pipe), for error messages. */
  stderr(): string;
}

/** Starts and ends vm's processes. */
export interface ProcessOwner {
  spawn(name: string, command: string, args: readonly string[], stdio: StdioOptions): OwnedProcess;
  /** SIGTERM to every group still running, SIGKILL after `graceMs`; resolves when all are gone. */
  stopAll(graceMs: number): Promise<void>;
  /** The pids of the processes still running. */
  running(): number[];
}

/** The stderr kept per process: enough for the error QEMU or virtiofsd gives before it dies. */
const STDERR_LIMIT = 16 * 1024;

/** How long stopAll waits after SIGKILL before it gives up on a process. */
const KILL_WAIT_MS = 3000;

/** An owner that starts processes through the `setpriv` at `setprivPath`. */
export function processOwner(setprivPath: string): ProcessOwner {
  const live = new Set<OwnedProcess>();
  const signalGroup = (owned: OwnedProcess, signal: NodeJS.Signals): void => {
    if (owned.pid === undefined) return;
    try {
      process.kill(-owned.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  };
  // 'exit' handlers run synchronously on every normal exit, process.exit() included: the last word.
  process.once('exit', () => {
    for (const owned of live) signalGroup(owned, 'SIGKILL');
  });
  return {
    spawn(name, command, args, stdio) {
      const child = spawn(setprivPath, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio, detached: true });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-STDERR_LIMIT);
      });
      const exited = new Promise<OwnedExit>((resolve) => {
        // 'close' comes after the process's pipes are drained, so no last line of its stderr is lost.
        child.once('close', (code, signal) => resolve({ code, signal }));
        child.once('error', (error) => resolve({ code: null, signal: null, error: error.message }));
      });
      const owned: OwnedProcess = { name, child, pid: child.pid, exited, stderr: () => stderr };
      live.add(owned);
      void exited.then(() => live.delete(owned));
      return owned;
    },
    async stopAll(graceMs) {
      const all = [...live];
      for (const owned of all) signalGroup(owned, 'SIGTERM');
      const timer = setTimeout(() => {
        for (const owned of live) signalGroup(owned, 'SIGKILL');
      }, graceMs);
      // A process stuck in uninterruptible sleep survives SIGKILL for a while: vm does not wait for it forever.
      const given = new Promise<void>((resolve) => setTimeout(resolve, graceMs + KILL_WAIT_MS).unref());
      await Promise.race([Promise.all(all.map((owned) => owned.exited)), given]);
      clearTimeout(timer);
    },
    running: () => [...live].flatMap((owned) => (owned.pid === undefined ? [] : [owned.pid])),
  };
}

/** "code 1", "signal SIGKILL", or why it did not start. */
export function describeExit(exit: OwnedExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error}`;
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
