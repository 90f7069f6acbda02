// The arm64 executable (dist/bootstrap-arm64) as PID 1 of an arm64 guest under qemu-system-aarch64: Debian 12's
// arm64 kernel, an arm64 busybox root over virtiofs (served by this machine's x86 virtiofsd), packed by
// dist/bootstrap with --sysroot. A smoke set of two boots: an exec handoff, and a supervise handoff with a
// service, `ctl status` from inside the guest, and an orderly power-off.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  configPathFor,
  guestInitPattern,
  packBootstrap,
  panicPattern,
  readArm64Env,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  repoRoot,
  stopAll,
  tempDir,
  waitForExit,
  writeGuestScript,
  type Arm64Env,
} from '../../harness/vm';

const arm64Binary = join(repoRoot, 'dist/bootstrap-arm64');
// TCG emulating arm64 is slower than x86_64 on this machine: the whole boot takes tens of seconds.
const bootTimeoutMs = 240_000;

// Asks PID 1 for its status over the control socket, then SIGTERMs it.
const probe = `#!/bin/sh
/proc/1/exe ctl status --output json > /tmp/status.json
echo "ctl-status-begin"; cat /tmp/status.json; echo "ctl-status-end"
kill -TERM 1
`;

const common = `logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
`;

const superviseConfig = `${common}postSwitch:
  mounts:
    - {type: tmpfs, target: /tmp}
  handoff:
    mode: supervise
    shutdownTimeout: 1s
    processes:
      syslog: {program: /sbin/syslogd, arguments: [-n, -O, /tmp/messages]}
      probe:
        type: oneshot
        program: /probe.sh
        dependsOn: {syslog: started}
`;

const execConfig = `${common}postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;

describe('arm64 guest (dist/bootstrap-arm64 under qemu-system-aarch64)', () => {
  let env: Arm64Env;
  let initrd: string;
  let guestRoot: string;

  beforeAll(() => {
    env = readArm64Env();
    const work = tempDir('arm64');
    guestRoot = buildGuestRoot(join(work, 'guest-root'), { busybox: join(env.sysroot, 'bin/busybox'), runner: 'qemu-aarch64-static' });
    writeGuestScript(guestRoot, '/probe.sh', probe);
    // /proc/1/exe is the arm64 executable, dynamically linked: the guest needs the sysroot's C libraries to run it.
    for (const dir of ['lib', 'usr/lib']) cpSync(join(env.sysroot, dir), join(guestRoot, dir), { recursive: true, verbatimSymlinks: true });
    initrd = packBootstrap({
      work,
      output: join(work, 'initrd'),
      kernel: env.kernel,
      config: superviseConfig,
      extraConfigs: { exec: execConfig },
      binary: arm64Binary,
      sysroot: env.sysroot,
    });
  });
  afterEach(async () => {
    saveTranscripts();
    await stopAll();
  });
  afterAll(removeTempDirs);

  const boot = async (name: string, append = '', cpus?: number) =>
    recordTranscript(
      name,
      await bootGuest({ arch: 'aarch64', kernel: env.kernel.image, initrd, append, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs, ...(cpus === undefined ? {} : { cpus }) }),
    );

  it(
    'hands off to the root\'s /sbin/init with exec, its code cache accepted, modules loaded two at a time on two CPUs, and powers off',
    async () => {
      // The kernel gives init unknown KEY=VALUE arguments as its environment: a code cache made under
      // qemu-user that the guest's V8 rejected would end the boot here (the loader exits 70) instead of only
      // making every start slower. Two CPUs: the module loads run on pool threads (syscall(2) through koffi's
      // async call, declared with fixed parameters), which arm64's calling convention must take as well.
      const guest = await boot('arm64-exec', `bootstrap.config=${configPathFor('exec')} BOOTSTRAP_REQUIRE_CODE_CACHE=1 bootstrap.log=debug`, 2);
      const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
      const exit = await waitForExit(guest, bootTimeoutMs);
      const console = guest.console();
      expect(console).not.toMatch(panicPattern);
      // The arm64 kernel on QEMU's virt board, not an x86_64 guest by mistake.
      expect(console).toMatch(/Machine model: linux,dummy-virt/);
      expect(reached.match[1], console).toBe('1');
      expect(console).toMatch(/bootstrap: debug: loading \d+ modules, up to 2 at a time, each once the modules it needs are loaded\n/);
      expect(console).toMatch(/bootstrap: load module virtio_pci from /);
      expect(console).toMatch(/reboot: Power down/);
      expect(exit.code, console).toBe(0);
    },
    2 * bootTimeoutMs,
  );

  it(
    'supervises a service, answers ctl status inside the guest, and powers off in order on SIGTERM',
    async () => {
      const guest = await boot('arm64-supervise');
      const begin = await guest.waitFor(/probe: ctl-status-begin\n/, bootTimeoutMs);
      const end = await guest.waitFor(/probe: ctl-status-end/, bootTimeoutMs, begin.end);
      const exit = await waitForExit(guest, bootTimeoutMs);
      const console = guest.console();
      expect(console).not.toMatch(panicPattern);
      expect(exit.code, console).toBe(0);
      const json = console.slice(begin.end, end.end - end.match[0].length).replace(/^probe: /gm, '');
      const status = JSON.parse(json) as { services: { name: string; state: string }[] };
      expect(status.services.find((service) => service.name === 'syslog')?.state).toBe('ready');
      const after = console.slice(console.indexOf('shutting down'));
      expect(after, console.slice(-4000)).toMatch(/shutting down \(poweroff\): received SIGTERM/);
      expect(after).toMatch(/reboot: Power down/);
    },
    2 * bootTimeoutMs,
  );
});
