// Boots a QEMU guest with the cached kernel and exposes its serial console to a test.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setupScript } from '../paths';
import { readKernelEnv } from './kernel-env';
import { spawnTracked, type ProcessExit } from './processes';
import { qemuArgs, qemuProgram, type GuestArch, type GuestRoot, type Nic } from './qemu-args';
import { TestBedError } from './test-bed-error';
import { startVirtiofsd, type Virtiofsd } from './virtiofsd';

/** What to boot. Only `initrd` is usually needed; the kernel defaults to the cached Debian one. */
export interface BootOptions {
  kernel?: string;
  initrd?: string;
  /** Kernel arguments after `console=ttyS0 panic=-1` (ttyAMA0 on aarch64). */
  append?: string;
  /** x86_64 by default; an aarch64 guest needs its own `kernel` (scripts/setup/arm64.sh caches one). */
  arch?: GuestArch;
  root?: GuestRoot;
  /** Guest RAM in MiB. */
  memory?: number;
  /** QEMU is killed after this long, whatever the guest is doing. */
  timeoutMs?: number;
  extraDisks?: readonly string[];
  /** Mount tag of a virtiofs or 9p root. */
  tag?: string;
  /** Network cards; none by default (-nodefaults). */
  nics?: readonly Nic[];
  /** Virtual CPUs; one by default. */
  cpus?: number;
}

/** How QEMU ended: `timedOut` when the harness killed it at `timeoutMs`, `killed` when `kill()` did. */
export interface GuestExit extends ProcessExit {
  timedOut: boolean;
  killed: boolean;
}

/** A console match, when it arrived (ms since QEMU was spawned), and where it ends in the transcript. */
export interface ConsoleMatch {
  match: RegExpExecArray;
  elapsedMs: number;
  /** Pass as `from` to the next waitFor to look only at what came after this match. */
  end: number;
}

/** A running (or finished) guest. */
export interface Guest {
  /** The argument vector QEMU was started with, for failure messages. */
  readonly args: readonly string[];
  /** Process ids, so a test can check that nothing outlives the guest. */
  readonly pids: { qemu: number | undefined; virtiofsd: number | undefined };
  /** Console text so far, with carriage returns removed. */
  console(): string;
  /**
   * Resolves at the first match of `pattern` in the console text from offset `from` on; rejects with the
   * whole transcript on timeout or when QEMU exits first.
   */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<ConsoleMatch>;
  /** Types `text` on the serial console. */
  write(text: string): void;
  readonly exited: Promise<GuestExit>;
  /** True once the console shows a kernel panic or the death of init. */
  panicked(): boolean;
  /** Kills QEMU (and its virtiofsd) and waits for both. */
  kill(): Promise<GuestExit>;
}

/** The console lines by which a guest's kernel says it failed. */
export const panicPattern = /Kernel panic|Attempted to kill init/;

/** Boots a guest; every process it starts is stopped by `kill()`, by `stopAll()`, or when the test process exits. */
export async function bootGuest(options: BootOptions = {}): Promise<Guest> {
  const program = qemuProgram(options.arch);
  requireOnPath(program);
  requireOnPath('setpriv');
  const root = options.root ?? { kind: 'none' };
  const memoryMiB = options.memory ?? 512;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const virtiofsd = root.kind === 'virtiofs' ? await startVirtiofsd(root.dir) : undefined;
  const args = qemuArgs({
    kernel: options.kernel ?? readKernelEnv().image,
    initrd: options.initrd,
    append: options.append ?? '',
    memoryMiB,
    root,
    tag: options.tag ?? 'rootfs',
    virtiofsSocket: virtiofsd?.socket,
    extraDisks: options.extraDisks ?? [],
    nics: options.nics ?? [],
    ...(options.arch ? { arch: options.arch } : {}),
    ...(options.cpus === undefined ? {} : { cpus: options.cpus }),
  });
  return startQemu(program, args, timeoutMs, virtiofsd);
}

function startQemu(program: string, args: string[], timeoutMs: number, virtiofsd: Virtiofsd | undefined): Guest {
  const startedAt = performance.now();
  const qemu = spawnTracked(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  qemu.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    transcript += chunk.replaceAll('\r', '');
    for (const listener of [...listeners]) listener();
  });
  qemu.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A guest that stops reading its console must not crash the test with EPIPE.
  qemu.child.stdin?.on('error', () => undefined);

  let timedOut = false;
  let killed = false;
  // Set once QEMU is gone, before any waiter is told.
  let qemuExit: GuestExit | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    void qemu.stop(500);
  }, timeoutMs);
  const exited = qemu.exited.then(async (exit): Promise<GuestExit> => {
    clearTimeout(timer);
    qemuExit = { ...exit, timedOut, killed };
    if (exit.error) stderr += `could not start QEMU: ${exit.error}\n`;
    for (const listener of [...listeners]) listener();
    // virtiofsd leaves by itself when QEMU closes the socket; the stop covers a wedged one.
    await virtiofsd?.stop();
    return qemuExit;
  });

  const report = (headline: string): string =>
    [
      headline,
      `${program} ${args.join(' ')}`,
      stderr ? `--- qemu stderr ---\n${stderr}` : '',
      virtiofsd?.log() ? `--- virtiofsd stderr ---\n${virtiofsd.log()}` : '',
      `--- console transcript ---\n${transcript}`,
    ]
      .filter((part) => part !== '')
      .join('\n');

  const ending = (exit: GuestExit): string => {
    if (exit.timedOut) return `QEMU was killed at its ${timeoutMs} ms timeout`;
    if (exit.killed) return 'QEMU was killed';
    return `QEMU exited (${exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`})`;
  };

  const waitFor = (pattern: RegExp, waitMs = 30_000, from = 0): Promise<ConsoleMatch> =>
    new Promise((resolve, reject) => {
      // A sticky or global flag would make exec depend on lastIndex left over from an earlier call.
      const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
      const check = (): void => {
        const match = regex.exec(transcript.slice(from));
        if (match) {
          const end = from + match.index + match[0].length;
          return settle(() => resolve({ match, elapsedMs: performance.now() - startedAt, end }));
        }
        if (qemuExit !== undefined) {
          const headline = `${ending(qemuExit)} before the console showed ${String(pattern)}`;
          settle(() => reject(new TestBedError(report(headline))));
        }
      };
      const settle = (action: () => void): void => {
        clearTimeout(waitTimer);
        listeners.delete(check);
        action();
      };
      const waitTimer = setTimeout(
        () => settle(() => reject(new TestBedError(report(`console did not show ${String(pattern)} within ${waitMs} ms`)))),
        waitMs,
      );
      listeners.add(check);
      check();
    });

  return {
    args,
    pids: { qemu: qemu.child.pid, virtiofsd: virtiofsd?.pid },
    console: () => transcript,
    waitFor,
    write: (text) => {
      qemu.child.stdin?.write(text);
    },
    exited,
    panicked: () => panicPattern.test(transcript),
    kill: async () => {
      if (qemuExit === undefined) killed = true;
      await qemu.stop(500);
      return exited;
    },
  };
}

// A missing tool would otherwise surface as an empty transcript and a puzzling exit code.
function requireOnPath(tool: string): void {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  if (!dirs.some((dir) => existsSync(join(dir, tool)))) throw new TestBedError(`${tool} is not on PATH: run ${setupScript}`);
}

/**
 * Waits for the guest to power itself off (QEMU ends by itself with status 0 within `timeoutMs`, and the kernel never
 * panicked) and returns its console; rejects with the transcript otherwise.
 */
export async function waitForPowerOff(guest: Guest, timeoutMs?: number): Promise<string> {
  const exit = await waitForExit(guest, timeoutMs);
  const transcript = guest.console();
  if (panicPattern.test(transcript)) throw new TestBedError(`the guest's kernel panicked\n--- console transcript ---\n${transcript}`);
  if (exit.code !== 0 || exit.timedOut || exit.killed) {
    throw new TestBedError(`QEMU ended (${JSON.stringify(exit)}) other than by the guest's poweroff\n--- console transcript ---\n${transcript}`);
  }
  return transcript;
}

/** Waits for QEMU to end by itself within `timeoutMs`; rejects with the transcript when it does not. */
export async function waitForExit(guest: Guest, timeoutMs = 30_000): Promise<GuestExit> {
  const timeout = new AbortController();
  const late = sleep(timeoutMs, undefined, { signal: timeout.signal }).then(
    () => undefined,
    () => undefined,
  );
  const outcome = await Promise.race([guest.exited, late]);
  timeout.abort();
  if (outcome === undefined) {
    throw new TestBedError(`QEMU did not exit within ${timeoutMs} ms\n--- console transcript ---\n${guest.console()}`);
  }
  return outcome;
}
