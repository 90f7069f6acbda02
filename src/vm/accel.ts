// KVM or TCG: KVM when /dev/kvm opens, speaks API version 12, and a QEMU with `-accel kvm -cpu host` runs a
// few instructions of guest code to the end. Nested KVM can open and answer and then fail or hang at the first
// guest instruction, so only running guest code tells. The verdict is kept per host boot and QEMU binary.
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KVM_API_VERSION } from '../sys/kvm';
import type { ProcessOwner } from './owned-processes';
import type { Accel } from './qemu-command';

/** What --accel takes. */
export type AccelChoice = 'auto' | Accel;

/** The accelerator to use and, when auto fell back to TCG, the line that says why. */
export interface AccelDecision {
  accel: Accel;
  fallback?: string;
}

/** How long the probe guest may take: a working KVM runs it in well under a second. */
export const PROBE_TIMEOUT_MS = 3000;

// isa-debug-exit makes QEMU exit with (value << 1) | 1: the probe writes 0, so 1 means the guest code ran.
const PROBE_EXIT_PORT = 0xf4;
const PROBE_SUCCESS = 1;

/**
 * A 64 KiB firmware image (QEMU wants a multiple of 64 KiB) whose reset vector, 16 bytes from the end, writes
 * 0 to the debug-exit port: `mov al, 0; out 0xf4, al; hlt; jmp $-1`. The rest is `hlt`.
 */
export function probeFirmware(): Buffer {
  const image = Buffer.alloc(64 * 1024, 0xf4);
  Buffer.from([0xb0, 0x00, 0xe6, PROBE_EXIT_PORT, 0xf4, 0xeb, 0xfd]).copy(image, image.length - 16);
  return image;
}

/** The probe's QEMU arguments. */
export function probeArgs(firmware: string): string[] {
  return ['-accel', 'kvm', '-cpu', 'host', '-m', '16M', '-nodefaults', '-no-user-config', '-display', 'none', '-bios', firmware, '-device', `isa-debug-exit,iobase=0x${PROBE_EXIT_PORT.toString(16)},iosize=0x04`];
}

/** What chooseAccel works with; tests replace the pieces. */
export interface AccelContext {
  qemu: string;
  owner: ProcessOwner;
  /** Where the probe firmware is written (vm's run directory). */
  workDir: string;
  /** Where the verdict is kept. */
  cacheDir: string;
  kvmApiVersion: () => number;
  /** This boot of the host (/proc/sys/kernel/random/boot_id). */
  bootId: () => string | undefined;
  timeoutMs?: number;
}

/** The accelerator for `choice`: kvm and tcg as asked, auto as detected. */
export async function chooseAccel(choice: AccelChoice, context: AccelContext): Promise<AccelDecision> {
  if (choice !== 'auto') return { accel: choice };
  const problem = await kvmProblem(context);
  if (problem === undefined) return { accel: 'kvm' };
  return { accel: 'tcg', fallback: `KVM is not usable here (${problem}); using TCG, which emulates the CPU and is much slower (--accel tcg skips this check)` };
}

async function kvmProblem(context: AccelContext): Promise<string | undefined> {
  let version: number;
  try {
    version = context.kvmApiVersion();
  } catch (error) {
    return (error as Error).message;
  }
  if (version !== KVM_API_VERSION) return `/dev/kvm speaks API version ${version}, QEMU needs ${KVM_API_VERSION}`;
  const qemuStat = statSync(context.qemu, { throwIfNoEntry: false });
  const identity = `${context.bootId() ?? 'unknown boot'} ${context.qemu} ${String(qemuStat?.ino)} ${String(qemuStat?.mtimeMs)}`;
  const verdictFile = join(context.cacheDir, 'kvm-probe.json');
  const cached = readVerdict(verdictFile, identity);
  if (cached !== undefined) return cached.problem ?? undefined;
  const problem = await runProbe(context);
  try {
    mkdirSync(context.cacheDir, { recursive: true });
    writeFileSync(verdictFile, `${JSON.stringify({ identity, problem: problem ?? null })}\n`);
  } catch {
    // Without a writable cache the probe simply runs again next time.
  }
  return problem;
}

function readVerdict(file: string, identity: string): { problem: string | null } | undefined {
  try {
    const verdict = JSON.parse(readFileSync(file, 'utf8')) as { identity?: unknown; problem?: unknown };
    if (verdict.identity !== identity) return undefined;
    return { problem: typeof verdict.problem === 'string' ? verdict.problem : null };
  } catch {
    return undefined;
  }
}

async function runProbe(context: AccelContext): Promise<string | undefined> {
  const firmware = join(context.workDir, 'kvm-probe.bin');
  writeFileSync(firmware, probeFirmware());
  const timeoutMs = context.timeoutMs ?? PROBE_TIMEOUT_MS;
  const probe = context.owner.spawn('the KVM probe', context.qemu, probeArgs(firmware), ['ignore', 'ignore', 'pipe']);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const outcome = await Promise.race([probe.exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    try {
      if (probe.pid !== undefined) process.kill(-probe.pid, 'SIGKILL');
    } catch {
      // ESRCH: it ended just now.
    }
    await probe.exited;
    return `a QEMU guest with -accel kvm -cpu host did not finish within ${timeoutMs}ms`;
  }
  if (outcome.code === PROBE_SUCCESS) return undefined;
  const said = probe.stderr().trim().split('\n').filter((line) => line !== '').at(-1);
  const how = outcome.error ?? (outcome.signal ? `signal ${outcome.signal}` : `exit code ${String(outcome.code)}`);
  return `a QEMU guest with -accel kvm -cpu host ended with ${how}${said ? `: ${said}` : ''}`;
}
