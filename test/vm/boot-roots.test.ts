// bootstrap as PID 1 on the real kernel: every root kind, the preSwitch/postSwitch fields, and an exec handoff.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildGuestRoot,
  builtInTestModules,
  configPathFor,
  guestInitPattern,
  makeExt4Image,
  packBootstrap,
  waitForPowerOff,
  readKernelEnv,
  recordTranscript,
  removeTempDirs,
  saveTranscripts,
  requiredSection,
  stopAll,
  tempDir,
  withoutKernelLines,
  writeGuestFile,
  writeGuestScript,
  type Guest,
  type KernelEnv,
} from '../../harness/vm';

const bootTimeoutMs = 60_000;
const testTimeoutMs = 2 * bootTimeoutMs;

// 1024 lines of 1024 bytes (newline included): 1 MiB, each line numbered so a lost or doubled line shows where.
const bulkLines = 1024;
const bulkFill = 'x'.repeat(1018);
const bulkLine = (index: number): string => `${String(index).padStart(4, '0')}:${bulkFill}`;

// The handoff program: prints what PID 1 left it (environment, sysctls, links, files, fds), then 1 MiB, then the boot report.
const probeScript = `
echo "probe: running as pid $$ with argument $1"
echo probe:env:begin
env | sort
echo probe:env:end
echo "probe:swappiness=$(cat /proc/sys/vm/swappiness)"
echo "probe:domainname=$(cat /proc/sys/kernel/domainname)"
echo "probe:link=$(readlink /run/probe-link)"
echo "probe:file=$(stat -c '%a %u %g %U %G %s' /run/probe/data.txt)"
echo "probe:content=$(cat /run/probe/data.txt)"
echo "probe:dir=$(stat -c '%F %a' /run/probe/dir)"
echo "probe:fuse-param=$(cat /sys/module/fuse/parameters/max_user_bgreq)"
echo "probe:hook-input=$(cat /run/hook-input)"
echo "probe:hook-env=$(cat /run/hook-env)"
echo "probe:retry-attempts=$(wc -l </run/retry-attempts)"
echo "probe:boot-script=$(cat /run/boot-script-ran)"
echo probe:fds:begin
ls -l /proc/$$/fd
echo probe:fds:end
echo probe:fdflags:begin
for fd in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  [ -e /proc/$$/fdinfo/$fd ] && echo "$fd $(sed -n 's/^flags:[[:space:]]*//p' /proc/$$/fdinfo/$fd)"
done
echo probe:fdflags:end
fill=$(head -c ${bulkFill.length} /dev/zero | tr '\\0' x)
echo probe:bulk:begin
i=0
while [ $i -lt ${bulkLines} ]; do
  printf '%04d:%s\\n' $i "$fill"
  i=$((i + 1))
done
echo probe:bulk:end
echo probe:report:begin
cat /run/bootstrap/report.json
echo probe:report:end
sync
poweroff -f
`;

// Run under an overlay: says whether the previous boot's write is visible, then writes.
const overlayScript = `
if [ -e /volatile-marker ]; then echo "overlay-probe: marker present"; else echo "overlay-probe: marker absent"; fi
echo written >/volatile-marker && echo "overlay-probe: wrote marker"
echo "overlay-probe: root is $(awk '$2 == "/" { print $3 }' /proc/mounts | tail -n 1)"
sync
poweroff -f
`;

const mainConfig = `
console: console
logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules:
    names: [virtio_pci, virtiofs]
    # fuse is only a dependency of virtiofs: parameters apply to dependencies too.
    parameters:
      fuse: max_user_bgreq=77
  sysctl:
    vm.swappiness: 17
  environment:
    PROBE_PRE: from-preswitch
    PROBE_NUMBER: 42
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  sysctl:
    kernel/domainname: probe-domain
  symlinks:
    - {path: /run/probe-link, target: /etc/probe-target}
  tmpfiles:
    - {path: /run/probe/data.txt, content: "hello tmpfile", mode: "0640", user: probe, group: probers}
    - {path: /run/probe/dir, type: directory, mode: "0711"}
  environment:
    PROBE_POST: "two words"
  hooks:
    - {command: /bin/sh, arguments: [-c, 'cat >/run/hook-input; echo "$PROBE_PRE/$PROBE_POST" >/run/hook-env'], input: fed through stdin}
    - {command: /bin/sh, arguments: [-c, 'echo attempt >>/run/retry-attempts; [ $(wc -l </run/retry-attempts) -ge 2 ]'], onFailure: Retry, retries: 2, retryDelay: 100ms}
    - {command: /bin/sh, arguments: [-c, 'exit 5'], onFailure: Warn}
    - {command: /bin/sleep, arguments: [30], timeout: 500ms, onFailure: Warn}
  handoff:
    mode: exec
    program: /probe.sh
    arguments: [first-arg]
    bootScript: {path: /boot-script.sh, arguments: [script-arg]}
`;

// Runs just before the handoff, with the boot's environment.
const bootScript = `echo "$1 $PROBE_POST" >/run/boot-script-ran
`;

const rootConfig = (modules: string, root: string, program = '/sbin/init'): string => `
console: console
emergency: {action: poweroff}
preSwitch:
  modules:
    names: ${modules}
switchRoot:
  rootFileSystem: ${root}
postSwitch:
  handoff: {mode: exec, program: ${program}}
`;

const extraConfigs = {
  // Dashes for underscores: the same module names.
  ninep: rootConfig('[virtio-pci, 9pnet-virtio, 9p]', '{type: 9p, tag: rootfs}'),
  'ext4-path': rootConfig('[virtio_pci, virtio_blk, ext4]', '{type: device, device: /dev/vda, fsType: ext4}'),
  'ext4-label': rootConfig('[virtio_pci, virtio_blk, ext4]', '{type: device, device: LABEL=probe-root}'),
  // overlay: true needs the overlay filesystem, which is a module in Debian's kernel.
  overlay: rootConfig('[virtio_pci, virtiofs, overlay]', '{type: virtiofs, tag: rootfs, overlay: true}', '/overlay-probe.sh'),
};

/** Checks the end every good boot must have: QEMU gone by itself, no panic, no dead init. */
const expectCleanPowerOff = (guest: Guest): Promise<string> => waitForPowerOff(guest, bootTimeoutMs);

const section = (guest: Guest, name: string): string => requiredSection(guest.console(), `probe:${name}:begin`, `probe:${name}:end`);

interface ReportStep {
  kind: string;
  status: string;
  description: string;
  source: string;
  attempts: number;
}

// The report is untrusted text from the guest: check its shape instead of casting.
function parseReport(text: string): { result: string; steps: ReportStep[] } {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || !('result' in value) || !('steps' in value) || !Array.isArray(value.steps)) {
    throw new Error(`the boot report is not {result, steps[]}: ${text}`);
  }
  const steps = (value.steps as unknown[]).map((step): ReportStep => {
    if (typeof step !== 'object' || step === null || !('kind' in step) || !('status' in step) || !('description' in step) || !('source' in step) || !('attempts' in step)) {
      throw new Error(`a report step lacks kind/status/description/source/attempts: ${JSON.stringify(step)}`);
    }
    return { kind: String(step.kind), status: String(step.status), description: String(step.description), source: String(step.source), attempts: Number(step.attempts) };
  });
  return { result: String(value.result), steps };
}

describe('bootstrap boots real roots', () => {
  let kernel: KernelEnv;
  let work: string;
  let guestRoot: string;
  let initrd: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    work = tempDir('boot-roots');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    writeGuestFile(guestRoot, '/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nprobe:x:1234:1234:probe:/:/bin/sh\n');
    writeGuestFile(guestRoot, '/etc/group', 'root:x:0:\nprobers:x:5678:\n');
    writeGuestScript(guestRoot, '/probe.sh', probeScript);
    writeGuestScript(guestRoot, '/overlay-probe.sh', overlayScript);
    writeGuestScript(guestRoot, '/boot-script.sh', bootScript);
    initrd = packBootstrap({
      work,
      output: join(work, 'initrd'),
      kernel,
      config: mainConfig,
      extraConfigs,
      modules: ['9pnet_virtio', '9p', 'virtio_blk', 'ext4', 'overlay'],
    });
  });

  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it(
    'virtiofs root, exec handoff: the program gets the environment, sysctls, links, tmpfiles, only fds 0-2, and 1 MiB of stdout arrives',
    async () => {
      const guest = recordTranscript('roots-virtiofs', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: 2 * bootTimeoutMs }));
      await guest.waitFor(/probe:report:end\n/, 2 * bootTimeoutMs);
      await expectCleanPowerOff(guest);
      const transcript = guest.console();

      expect(transcript).toContain(`Linux version ${kernel.version} `);
      // Dependencies come from modules.dep and load first: virtio_ring before virtio_pci, fuse before virtiofs. A kernel
      // with them built in (6.12) loads none, and says that fuse's parameter cannot be applied.
      const loaded = [...transcript.matchAll(/bootstrap: load module (\S+) from/g)].map((match) => match[1]);
      const builtIn = builtInTestModules[kernel.kernel];
      const fuseBuiltIn = builtIn.includes('fuse');
      expect(loaded).toEqual(expect.arrayContaining(['virtio_ring', 'virtio', 'virtio_pci', 'fuse', 'virtiofs'].filter((name) => !builtIn.includes(name))));
      for (const name of builtIn) expect(loaded).not.toContain(name);
      if (builtIn.length === 0) {
        expect(loaded.indexOf('virtio_ring')).toBeLessThan(loaded.indexOf('virtio_pci'));
        expect(loaded.indexOf('fuse')).toBeLessThan(loaded.indexOf('virtiofs'));
      }

      expect(transcript).toContain('probe: running as pid 1 with argument first-arg');
      const env = section(guest, 'env').split('\n');
      expect(env).toEqual(expect.arrayContaining(['PROBE_PRE=from-preswitch', 'PROBE_NUMBER=42', 'PROBE_POST=two words']));
      expect(env.filter((line) => line.startsWith('NODE_'))).toEqual([]);
      expect(transcript).toContain('probe:swappiness=17\n');
      expect(transcript).toContain('probe:domainname=probe-domain\n');
      expect(transcript).toContain('probe:link=/etc/probe-target\n');
      expect(transcript).toContain(`probe:file=640 1234 5678 probe probers ${'hello tmpfile'.length}\n`);
      expect(transcript).toContain('probe:content=hello tmpfile\n');
      expect(transcript).toContain('probe:dir=directory 711\n');
      if (fuseBuiltIn) {
        expect(transcript).not.toContain('probe:fuse-param=77\n');
        expect(withoutKernelLines(transcript)).toMatch(/bootstrap: warn: .*: module fuse is built into this kernel, so its parameters \(max_user_bgreq=77\) cannot be applied by loading it; put fuse\.max_user_bgreq=77 on the kernel command line\n/);
      } else {
        expect(transcript).toContain('probe:fuse-param=77\n');
      }
      // Hooks: stdin input, the environment of both phases, a retry that succeeds the second time, and two
      // Warn failures (an exit status, a timeout) the boot goes past.
      expect(transcript).toContain('probe:hook-input=fed through stdin\n');
      expect(transcript).toContain('probe:hook-env=from-preswitch/two words\n');
      expect(transcript).toContain('probe:retry-attempts=2\n');
      expect(transcript).toContain('probe:boot-script=script-arg two words\n');
      expect(transcript).toMatch(/bootstrap: warn: .*exit 5.*status 5\n/);
      expect(transcript).toMatch(/bootstrap: warn: .*\/bin\/sleep.*timed out after 500ms/);

      // ls runs as a child and lists the shell's fds: what PID 1 passed on, plus the shell's own script fd.
      const fds = new Map(section(guest, 'fds').split('\n').flatMap((line) => {
        const match = / (\d+) -> (.*)$/.exec(line);
        return match ? [[Number(match[1]), match[2]!] as const] : [];
      }));
      const flags = new Map(section(guest, 'fdflags').trim().split('\n').map((line) => {
        const [fd = '', value = ''] = line.split(' ');
        return [Number(fd), parseInt(value, 8)] as const;
      }));
      const leaked = [...fds].filter(([fd, path]) => fd > 2 && !(path === '/probe.sh' && ((flags.get(fd) ?? 0) & 0o2000000) !== 0));
      expect(leaked, 'fds other than 0-2 and the shell\'s own close-on-exec script fd').toEqual([]);
      for (const fd of [0, 1, 2]) {
        expect(fds.get(fd), `fd ${fd}`).toMatch(/^\/dev\/(console|ttyS0)$/);
        // Blocking stdio: O_NONBLOCK (04000) would make a fast writer lose output with EAGAIN.
        expect((flags.get(fd) ?? -1) & 0o4000, `fd ${fd} flags ${flags.get(fd)?.toString(8)}`).toBe(0);
      }

      const bulk = section(guest, 'bulk');
      const expected = Array.from({ length: bulkLines }, (_, index) => `${bulkLine(index)}\n`).join('');
      expect(bulk.length).toBe(2 ** 20);
      // Compared line by line so a failure names the first damaged line rather than printing 1 MiB.
      const lines = bulk.split('\n');
      const firstBad = lines.findIndex((line, index) => index < bulkLines && line !== bulkLine(index));
      expect(firstBad, `first damaged line: ${lines[firstBad]?.slice(0, 80)}`).toBe(-1);
      expect(bulk === expected).toBe(true);

      const report = parseReport(section(guest, 'report'));
      expect(report.result).toBe('handoff');
      const kinds = report.steps.map((step) => step.kind);
      expect(kinds).toEqual(expect.arrayContaining(['console', fuseBuiltIn ? 'builtinModule' : 'loadModule', 'mount', 'sysctl', 'symlink', 'tmpfile', 'setEnv', 'checkHandoff', 'switchRoot']));
      expect(report.steps.filter((step) => step.kind === 'builtinModule').map((step) => step.status)).toEqual(fuseBuiltIn ? ['warned'] : []);
      const hooks = report.steps.filter((step) => step.kind === 'hook').map((step) => [step.source, step.status, step.attempts]);
      expect(hooks).toEqual([
        ['/postSwitch/hooks/0', 'ok', 1],
        ['/postSwitch/hooks/1', 'ok', 2],
        ['/postSwitch/hooks/2', 'warned', 1],
        ['/postSwitch/hooks/3', 'warned', 1],
      ]);
      expect(report.steps.find((step) => step.kind === 'bootScript')?.status).toBe('ok');
      for (const step of report.steps.filter((each) => each.kind !== 'hook' && each.kind !== 'builtinModule')) {
        expect(['ok', 'skipped'], `${step.kind} ${step.description}: ${step.status}`).toContain(step.status);
      }
      expect(report.steps.filter((step) => step.status === 'ok').length).toBeGreaterThan(10);
    },
    3 * bootTimeoutMs,
  );

  it(
    '9p root, exec handoff into the guest init',
    async () => {
      const guest = recordTranscript('roots-9p', await bootGuest({ initrd, root: { kind: '9p', dir: guestRoot }, append: `bootstrap.config=${configPathFor('ninep')}`, timeoutMs: bootTimeoutMs }));
      const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
      expect(reached.match[1]).toBe('1');
      await expectCleanPowerOff(guest);
      expect(guest.console()).toMatch(/bootstrap: load module 9pnet_virtio from/);
    },
    testTimeoutMs,
  );

  describe('ext4 root on virtio-blk', () => {
    let image: string;
    beforeAll(() => {
      image = makeExt4Image({ dir: guestRoot, output: join(work, 'root.ext4'), label: 'probe-root' });
    });

    it.each(['ext4-path', 'ext4-label'])(
      'found by %s',
      async (name) => {
        const guest = recordTranscript(`roots-${name}`, await bootGuest({ initrd, root: { kind: 'block', image }, append: `bootstrap.config=${configPathFor(name)}`, timeoutMs: bootTimeoutMs }));
        const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
        expect(reached.match[1]).toBe('1');
        await expectCleanPowerOff(guest);
      },
      testTimeoutMs,
    );
  });

  it(
    'overlay: true keeps the root untouched: a write is gone at the next boot and never reaches the share',
    async () => {
      const append = `bootstrap.config=${configPathFor('overlay')}`;
      const first = recordTranscript('roots-overlay-1', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, timeoutMs: bootTimeoutMs }));
      await first.waitFor(/overlay-probe: root is \S+\n/, bootTimeoutMs);
      await expectCleanPowerOff(first);
      expect(first.console()).toContain('overlay-probe: marker absent');
      expect(first.console()).toContain('overlay-probe: wrote marker');
      expect(first.console()).toContain('overlay-probe: root is overlay\n');
      expect(existsSync(join(guestRoot, 'volatile-marker'))).toBe(false);

      const second = recordTranscript('roots-overlay-2', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, append, timeoutMs: bootTimeoutMs }));
      await second.waitFor(/overlay-probe: root is \S+\n/, bootTimeoutMs);
      await expectCleanPowerOff(second);
      expect(second.console()).toContain('overlay-probe: marker absent');
      expect(existsSync(join(guestRoot, 'volatile-marker'))).toBe(false);
    },
    testTimeoutMs,
  );
});
