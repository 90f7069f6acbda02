// Proves the QEMU test bed against the real Debian kernel: a busybox initramfs reaches a virtiofs, 9p and ext4 root.
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildBaselineInitramfs,
  buildGuestRoot,
  guestInitPattern,
  makeExt4Image,
  packInitramfs,
  readKernelEnv,
  removeTempDirs,
  stopAll,
  switchRootPattern,
  tempDir,
  waitForExit,
  type BaselineRoot,
  type GuestRoot,
  type KernelEnv,
} from '../../harness/vm';

// A TCG boot takes 4–6 s here; the bound is generous so a slow CI machine fails loudly, not flakily.
const bootTimeoutMs = 60_000;
const testTimeoutMs = 2 * bootTimeoutMs;

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('QEMU test bed baseline (busybox /init)', () => {
  let kernel: KernelEnv;
  let work: string;
  let guestRootDir: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    work = tempDir('baseline-test');
    guestRootDir = buildGuestRoot(join(work, 'guest-root'));
  });

  afterEach(stopAll);
  afterAll(removeTempDirs);

  const rootFor = (kind: BaselineRoot): GuestRoot =>
    kind === 'block'
      ? { kind, image: makeExt4Image({ dir: guestRootDir, output: join(work, 'root.ext4'), label: 'guestroot' }) }
      : { kind, dir: guestRootDir };

  it.each<BaselineRoot>(['virtiofs', '9p', 'block'])(
    'switches into a %s root and the guest powers off by itself',
    async (kind) => {
      const { initrd } = buildBaselineInitramfs({ root: kind, output: join(work, `baseline-${kind}.cpio`), kernel });
      const root = rootFor(kind);
      const started = performance.now();
      const guest = await bootGuest({ initrd, root, timeoutMs: bootTimeoutMs });

      const switched = await guest.waitFor(switchRootPattern, bootTimeoutMs);
      const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
      const exit = await waitForExit(guest, bootTimeoutMs);
      const wallMs = performance.now() - started;

      console.log(
        `${kind}: switch_root at ${switched.match[1]}s uptime, guest /sbin/init at ${reached.match[2]}s uptime, ` +
          `QEMU gone after ${wallMs.toFixed(0)} ms wall`,
      );
      expect(guest.panicked(), guest.console()).toBe(false);
      expect(exit).toMatchObject({ code: 0, timedOut: false, killed: false });
      // The marker comes from the guest root's own /sbin/init running as PID 1: the switch happened.
      expect(reached.match[1]).toBe('1');
      expect(isAlive(guest.pids.qemu)).toBe(false);
      expect(isAlive(guest.pids.virtiofsd)).toBe(false);
    },
    testTimeoutMs,
  );

  it(
    'types on the serial console and kill() leaves no process behind',
    async () => {
      const { initrd } = buildBaselineInitramfs({ root: 'virtiofs', output: join(work, 'shell.cpio'), kernel });
      // guest.shell makes the guest root's /sbin/init start a shell instead of powering off; quiet
      // keeps late kernel messages from landing in the middle of the prompt line.
      const append = 'quiet guest.shell';
      const guest = await bootGuest({ initrd, root: rootFor('virtiofs'), append, timeoutMs: bootTimeoutMs });
      const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
      const prompt = await guest.waitFor(/^\/ # /m, bootTimeoutMs, reached.end);

      // The echoed input shows the expression; only a shell that ran it prints the product.
      guest.write('echo typed-$((6 * 7))\n');
      await guest.waitFor(/typed-42/, bootTimeoutMs, prompt.end);
      expect(isAlive(guest.pids.virtiofsd)).toBe(true);

      const exit = await guest.kill();
      expect(exit.killed).toBe(true);
      expect(isAlive(guest.pids.qemu)).toBe(false);
      expect(isAlive(guest.pids.virtiofsd)).toBe(false);
    },
    testTimeoutMs,
  );

  it(
    'shows a dying init as a panic, ends QEMU by itself, and rejects waitFor with the transcript',
    async () => {
      const tree = join(work, 'dying-init');
      mkdirSync(join(tree, 'bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(tree, 'bin/busybox'));
      symlinkSync('busybox', join(tree, 'bin/sh'));
      writeFileSync(join(tree, 'init'), '#!/bin/sh\necho "dying-init: exiting"\nexit 3\n');
      chmodSync(join(tree, 'init'), 0o755);
      const initrd = packInitramfs({ dir: tree, output: join(work, 'dying-init.cpio') });

      const guest = await bootGuest({ initrd, timeoutMs: bootTimeoutMs });
      const never = guest.waitFor(/this line is never printed/, bootTimeoutMs);
      await expect(never).rejects.toThrow(/QEMU exited \(code 0\) before[\s\S]*dying-init: exiting[\s\S]*Attempted to kill init/);
      const exit = await guest.exited;
      expect(guest.panicked()).toBe(true);
      expect(exit).toMatchObject({ timedOut: false, killed: false });
    },
    testTimeoutMs,
  );
});
