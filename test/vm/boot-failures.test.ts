// bootstrap as PID 1 on the real kernel when the boot cannot go on: the emergency action with a reason, never a panic.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  configPathFor,
  guestInitPattern,
  packBootstrap,
  waitForPowerOff,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  stopAll,
  tempDir,
  type Guest,
} from '../../harness/vm';

const bootTimeoutMs = 60_000;
const testTimeoutMs = 2 * bootTimeoutMs;

const config = (body: string): string => `
console: console
emergency: {action: poweroff}
${body}
`;

const virtiofsRoot = (tag = 'rootfs', timeout = '10s'): string => `
preSwitch:
  modules:
    names: [virtio_pci, virtiofs]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: ${tag}, timeout: ${timeout}}
`;

// A boot that works: the injected faults must stop it, nothing else does.
const goodConfig = config(`${virtiofsRoot()}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`);

const extraConfigs = {
  'missing-tag': config(`${virtiofsRoot('no-such-tag', '2s')}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`),
  'unknown-module': config(`
preSwitch:
  modules:
    names: [virtio_pci, no_such_module]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`),
  'missing-handoff': config(`${virtiofsRoot()}
postSwitch:
  handoff: {mode: exec, program: /no/such/program}
`),
  // The container modes are not for an initramfs: pivot_root(2) cannot take rootfs away (EINVAL).
  'pivot-initramfs': config(`
preSwitch:
  modules:
    names: [virtio_pci, virtiofs]
switchRoot:
  mode: pivot
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`),
  'hook-abort': config(`${virtiofsRoot()}
postSwitch:
  hooks:
    - {command: /bin/sh, arguments: [-c, 'echo failing-hook-ran; exit 3'], onFailure: Abort}
  handoff: {mode: exec, program: /sbin/init}
`),
};

/** The emergency action (poweroff) ended QEMU by itself; the kernel never panicked; the handoff never ran. */
async function expectEmergencyPowerOff(guest: Guest): Promise<string> {
  const transcript = await waitForPowerOff(guest, bootTimeoutMs);
  expect(transcript).toMatch(/bootstrap: poweroff/);
  expect(transcript).not.toMatch(guestInitPattern);
  return transcript;
}

describe('bootstrap failures end in the emergency action', () => {
  let guestRoot: string;
  let initrd: string;

  beforeAll(() => {
    const kernel = readKernelEnv();
    const work = tempDir('boot-failures');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel, config: goodConfig, extraConfigs });
  });

  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  const boot = async (name: string, append: string): Promise<Guest> =>
    recordTranscript(`failures-${name}`, await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, timeoutMs: bootTimeoutMs }));

  it(
    'a root tag QEMU does not provide: names the tag after the 2 s timeout',
    async () => {
      const guest = await boot('missing-tag', `bootstrap.config=${configPathFor('missing-tag')}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toMatch(/bootstrap: error: .*no-such-tag/);
      // The configured 2 s bound, not the 10 s default.
      expect(transcript).toMatch(/bootstrap: error: .*no-such-tag.* 2000 ?ms/);
    },
    testTimeoutMs,
  );

  it(
    'a module that is not in modules.dep: refused at plan time, naming the module',
    async () => {
      const guest = await boot('unknown-module', `bootstrap.config=${configPathFor('unknown-module')}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toMatch(/bootstrap: error: .*no_such_module/);
      // Nothing was loaded: the plan failed before the first step.
      expect(transcript).not.toMatch(/bootstrap: load module/);
    },
    testTimeoutMs,
  );

  it(
    'a handoff program missing from the new root: caught before switching, naming the program',
    async () => {
      const guest = await boot('missing-handoff', `bootstrap.config=${configPathFor('missing-handoff')}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toMatch(/bootstrap: error: .*\/no\/such\/program/);
      expect(transcript).not.toMatch(/bootstrap: move \/dev \/proc \/sys \/run into/);
    },
    testTimeoutMs,
  );

  it(
    'switchRoot.mode pivot from the initramfs: refused before anything moves, saying why and what to use',
    async () => {
      const guest = await boot('pivot-initramfs', `bootstrap.config=${configPathFor('pivot-initramfs')}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toMatch(/bootstrap: error: +error: +switchRoot.mode pivot: \/ is the initramfs \(rootfs\), which pivot_root\(2\) cannot pivot away from \(EINVAL\); leave `mode` out .*or use mode: chroot/);
      expect(transcript).toMatch(/bootstrap: error: boot aborted in switchRoot, step \d+ \(switchRoot from \/switchRoot\)/);
    },
    testTimeoutMs,
  );

  it(
    'a hook failing with onFailure Abort: names the hook and its exit status',
    async () => {
      const guest = await boot('hook-abort', `bootstrap.config=${configPathFor('hook-abort')}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toContain('failing-hook-ran');
      expect(transcript).toMatch(/bootstrap: error: .*\/bin\/sh/);
      expect(transcript).toMatch(/bootstrap: error: .*(status|code) 3\b/);
    },
    testTimeoutMs,
  );

  it.each(['uncaught', 'rejection'])(
    'an injected bug in bootstrap (bootstrap.test.fault=%s) takes the emergency action',
    async (kind) => {
      // The config is one that boots fine: only the injected bug stops it.
      const guest = await boot(`fault-${kind}`, `bootstrap.test.fault=${kind}`);
      const transcript = await expectEmergencyPowerOff(guest);
      expect(transcript).toMatch(/bootstrap: error: internal error \(a bug in bootstrap\)/);
      expect(transcript).toContain(`injected fault (bootstrap.test.fault=${kind})`);
    },
    testTimeoutMs,
  );
});
