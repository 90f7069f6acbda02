// bootstrap as PID 1 on the real kernel, driven over the serial console: shell handoff, bootstrap.break, emergency shell.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  configPathFor,
  packBootstrap,
  waitForPowerOff,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  stopAll,
  tempDir,
  writeGuestFile,
  writeGuestScript,
  type ConsoleMatch,
  type Guest,
  type KernelEnv,
} from '../../harness/vm';

const bootTimeoutMs = 60_000;
const testTimeoutMs = 2 * bootTimeoutMs;
// Busybox ash's default prompt for root in /; not anchored at the end, since ash may follow it with a
// cursor-position query (ESC [6n).
const prompt = /\/ # /;

const virtiofsRoot = `
preSwitch:
  modules:
    names: [virtio_pci, virtiofs]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
`;

const shellConfig = `
console: console
emergency: {action: poweroff}
${virtiofsRoot}
postSwitch:
  handoff: {mode: shell, program: /bin/sh, onExit: poweroff}
`;

// postSwitch leaves a trace (the link) so the test can tell whether it ran before or after the break shell.
const breakConfig = `
console: console
emergency: {action: poweroff}
${virtiofsRoot}
postSwitch:
  symlinks:
    - {path: /run/post-switch-ran, target: /yes}
  handoff: {mode: exec, program: /break-probe.sh}
`;

const respawnConfig = `
console: console
emergency: {action: poweroff}
${virtiofsRoot}
postSwitch:
  handoff: {mode: shell, program: /bin/sh, onExit: respawn}
`;

// The handoff after the break shell: says so on stdout, or through the kernel log when its stdout is dead.
const breakProbe = `
if ! echo "break-probe: handoff reached pid=$$"; then
  echo "break-probe: writing to stdout failed ($(readlink /proc/$$/fd/1))" >/dev/kmsg
fi
sync
poweroff -f
`;

/** Types `line` at the prompt and resolves with the console match of `reply` printed after it. */
async function type(guest: Guest, line: string, reply: RegExp, from: number): Promise<ConsoleMatch> {
  guest.write(`${line}\n`);
  return guest.waitFor(reply, bootTimeoutMs, from);
}

/** Asks the shell at the prompt for its flags and its terminal, and checks it has job control on a real tty. */
async function expectJobControl(guest: Guest, from: number): Promise<number> {
  // The typed line echoes too; only the shell's output has the flags between the brackets.
  const flags = await type(guest, 'echo "flags=[$-]"', /flags=\[(\w*)\]\n/, from);
  expect(flags.match[1], 'shell flags $-').toContain('m');
  const tty = await type(guest, 'tty', /\n(\/dev\/\S+|not a tty)\n/, flags.end);
  expect(tty.match[1]).toMatch(/^\/dev\/tty/);
  return tty.end;
}

const expectCleanPowerOff = (guest: Guest): Promise<string> => waitForPowerOff(guest, bootTimeoutMs);

describe('bootstrap on the serial console', () => {
  let kernel: KernelEnv;
  let work: string;
  let guestRoot: string;
  let initrd: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    work = tempDir('boot-shell');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    writeGuestFile(guestRoot, '/etc/guest-marker', 'this is the guest root\n');
    writeGuestScript(guestRoot, '/break-probe.sh', breakProbe);
    initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel, config: shellConfig, extraConfigs: { break: breakConfig, respawn: respawnConfig } });
  });

  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it(
    'shell handoff: a typed command runs, the shell has job control, and exit powers off (onExit: poweroff)',
    async () => {
      const guest = recordTranscript('shell-handoff', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs }));
      const started = await guest.waitFor(/bootstrap: starting \/bin\/sh on \S+\n/, bootTimeoutMs);
      const ready = await guest.waitFor(prompt, bootTimeoutMs, started.end);
      const answer = await type(guest, 'echo $((6*7))', /\n42\n/, ready.end);
      const marker = await type(guest, 'cat /etc/guest-marker', /\nthis is the guest root\n/, answer.end);
      await expectJobControl(guest, marker.end);
      guest.write('exit\n');
      await expectCleanPowerOff(guest);
    },
    testTimeoutMs,
  );

  it(
    'shell handoff with onExit: respawn: a new shell on a working console after exit',
    async () => {
      const append = `bootstrap.config=${configPathFor('respawn')}`;
      const guest = recordTranscript('shell-respawn', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, timeoutMs: bootTimeoutMs }));
      const started = await guest.waitFor(/bootstrap: starting \/bin\/sh on \S+\n/, bootTimeoutMs);
      const first = await guest.waitFor(prompt, bootTimeoutMs, started.end);
      guest.write('exit\n');
      const respawned = await guest.waitFor(/bootstrap: respawning the shell[^\n]*\n/, bootTimeoutMs, first.end);
      const ready = await guest.waitFor(prompt, bootTimeoutMs, respawned.end);
      // The first shell's exit hung up its session's terminal; the new one must have opened it afresh.
      const answer = await type(guest, 'echo $((6*7))', /\n42\n/, ready.end);
      await expectJobControl(guest, answer.end);
      guest.write('poweroff -f\n');
      await expectCleanPowerOff(guest);
    },
    testTimeoutMs,
  );

  it(
    'bootstrap.break=postSwitch: a shell with a controlling terminal before postSwitch; exiting it continues to the handoff',
    async () => {
      const append = `bootstrap.config=${configPathFor('break')} bootstrap.break=postSwitch`;
      const guest = recordTranscript('break-postswitch', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, timeoutMs: bootTimeoutMs }));
      const started = await guest.waitFor(/bootstrap: starting \/bin\/sh on \S+\n/, bootTimeoutMs);
      const ready = await guest.waitFor(prompt, bootTimeoutMs, started.end);
      // Already in the new root, and postSwitch has not run yet.
      const marker = await type(guest, 'cat /etc/guest-marker', /\nthis is the guest root\n/, ready.end);
      const before = await type(guest, 'ls /run/post-switch-ran || echo "post-switch not yet"', /\n(\/run\/post-switch-ran|post-switch not yet)\n/, marker.end);
      expect(before.match[1]).toBe('post-switch not yet');
      const end = await expectJobControl(guest, before.end);
      guest.write('exit\n');
      // The handoff's stdout must still be the console: the shell's exit must not leave it hung up.
      const reached = await guest.waitFor(/break-probe: (handoff reached pid=\d+|writing to stdout failed[^\n]*)\n/, bootTimeoutMs, end);
      expect(reached.match[1]).toBe('handoff reached pid=1');
      // postSwitch ran only once the shell was gone.
      const after = guest.console().slice(guest.console().indexOf('bootstrap: /bin/sh ended'));
      expect(after).toMatch(/bootstrap: symlink \/run\/post-switch-ran -> \/yes/);
      await expectCleanPowerOff(guest);
    },
    testTimeoutMs,
  );

  it(
    'no emergency section and /bin/sh in the initramfs: a failing step opens an emergency shell; exit powers off',
    async () => {
      // A busybox /bin/sh in the initramfs is what makes the default action a shell.
      const tree = join(work, 'initramfs-bin');
      mkdirSync(tree, { recursive: true });
      symlinkSync('busybox', join(tree, 'sh'));
      const config = `
console: console
preSwitch:
  hooks:
    - [/bin/sh, -c, 'echo failing-pre-hook; exit 4']
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;
      const emergencyInitrd = packBootstrap({
        work: join(work, 'emergency'),
        output: join(work, 'emergency-initrd'),
        kernel,
        config,
        add: [
          { src: '/bin/busybox', dest: '/bin/busybox' },
          { src: join(tree, 'sh'), dest: '/bin/sh' },
        ],
      });
      const guest = recordTranscript('emergency-shell', await bootGuest({ initrd: emergencyInitrd, timeoutMs: bootTimeoutMs }));
      const started = await guest.waitFor(/bootstrap: error: starting the emergency shell \/bin\/sh[^\n]*\n/, bootTimeoutMs);
      expect(guest.console()).toContain('failing-pre-hook');
      expect(guest.console()).toMatch(/bootstrap: error: .*status 4/);
      const ready = await guest.waitFor(prompt, bootTimeoutMs, started.end);
      const answer = await type(guest, 'echo $((6*7))', /\n42\n/, ready.end);
      await expectJobControl(guest, answer.end);
      guest.write('exit\n');
      await expectCleanPowerOff(guest);
    },
    testTimeoutMs,
  );
});
