// A guest that boots into the supervisor: three services and a crashing one, `bootstrap ctl status` from inside,
// then SIGTERM to PID 1: an orderly poweroff with the filesystems unmounted, never "Attempted to kill init".
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostFileSystem, resolveSharedLibraries } from '../../src/pack/shared-libraries';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootGuest, bootstrapBinary, buildGuestRoot, packBootstrap, panicPattern, readKernelEnv, removeTempDirs, stopAll, tempDir, waitForExit, writeGuestScript, type KernelEnv } from '../../harness/vm';

const bootTimeoutMs = 90_000;

// A oneshot that runs once everything is up: asks PID 1 for the status over the control socket, then SIGTERMs it.
const probe = `#!/bin/sh
# Wait (up to 10 s) for the crasher to hit its start limit, so the status shows it failed.
for i in $(seq 50); do /proc/1/exe ctl status --output json | grep -q '"state": "failed"' && break; sleep 0.2; done
/proc/1/exe ctl status --output json > /tmp/status.json
echo "ctl-status-begin"; cat /tmp/status.json; echo "ctl-status-end"
/proc/1/exe ctl status
kill -TERM 1
`;

const config = `logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  mounts:
    - {type: tmpfs, target: /tmp}
  handoff:
    mode: supervise
    shutdownTimeout: 1200ms
    processes:
      syslog: {program: /sbin/syslogd, arguments: [-n, -O, /tmp/messages]}
      web:
        program: /usr/sbin/httpd
        arguments: [-f, -p, "8080", -h, /]
        dependsOn: {syslog: started}
        readiness: {tcp: {port: 8080}, period: 200ms}
      # Leaves a process deaf to SIGTERM in a session of its own: only the shutdown's SIGKILL ends it.
      ticker: {program: /bin/sh, arguments: [-c, "setsid sh -c 'trap \\"\\" TERM; while :; do sleep 1; done' & while :; do sleep 1; done"], dependsOn: [web]}
      crasher:
        program: /bin/sh
        arguments: [-c, "exit 3"]
        backoff: {initial: 100ms, max: 100ms}
        startLimit: {count: 3, interval: 1m}
      probe:
        type: oneshot
        program: /probe.sh
        dependsOn: {web: ready, ticker: started}
`;

describe('supervise handoff in a real guest', () => {
  let kernel: KernelEnv;
  let work: string;
  let initrd: string;
  let guestRoot: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    work = tempDir('boot-supervise');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
    writeGuestScript(guestRoot, '/probe.sh', probe);
    // /proc/1/exe is our executable, dynamically linked: the busybox guest needs its C libraries to run it.
    const closure = resolveSharedLibraries(bootstrapBinary, hostFileSystem);
    for (const file of [...(closure.interpreter ? [{ imagePath: closure.interpreter.path, realPath: closure.interpreter.realPath }] : []), ...closure.libraries]) {
      mkdirSync(dirname(join(guestRoot, file.imagePath)), { recursive: true });
      copyFileSync(file.realPath, join(guestRoot, file.imagePath));
    }
    initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel, config });
  });
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it(
    'runs the services, answers ctl status inside the guest, and powers off in order on SIGTERM',
    async () => {
      const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs });
      const begin = await guest.waitFor(/probe: ctl-status-begin\r?\n/, bootTimeoutMs);
      const end = await guest.waitFor(/probe: ctl-status-end/, bootTimeoutMs, begin.end);
      const exit = await waitForExit(guest, bootTimeoutMs);
      const console = guest.console().replace(/\r/g, '');
      expect(console).not.toMatch(panicPattern);
      expect(console).toContain(`Linux version ${kernel.version} `);
      expect(exit.code, console).toBe(0);

      // The initramfs was freed once the services were handed over, not before them.
      const handedOver = console.indexOf('bootstrap: supervising ');
      const freed = console.indexOf('bootstrap: freed the initramfs after the handoff started (');
      expect(handedOver).toBeGreaterThan(0);
      expect(freed).toBeGreaterThan(handedOver);
      expect(console).toContain('switch root to /sysroot; the initramfs is freed once the handoff runs');

      // Service output reaches the console line by line, prefixed with the service's name.
      const json = guest.console().slice(begin.end, end.end - end.match[0].length).replace(/\r/g, '').replace(/^probe: /gm, '');
      const status = JSON.parse(json) as { services: { name: string; state: string; pid: number | null; starts: number; lastExit: { status: number } | null }[] };
      const byName = Object.fromEntries(status.services.map((service) => [service.name, service]));
      expect(byName['syslog']?.state).toBe('ready');
      expect(byName['web']?.state).toBe('ready');
      expect(byName['ticker']?.state).toBe('ready');
      expect(byName['probe']?.state).toBe('running');
      expect(byName['crasher']).toMatchObject({ state: 'failed', lastExit: { status: 3 } });
      expect(byName['crasher']!.starts).toBe(3);

      // The orderly end: services stopped in reverse dependency order, the tmpfs unmounted, / read-only, power down.
      const after = console.slice(console.indexOf('shutting down'));
      expect(after, console.slice(-4000)).toMatch(/shutting down \(poweroff\): received SIGTERM/);
      const stopped = [...after.matchAll(/bootstrap: (\S+) stopped/g)].map((match) => match[1]);
      expect(stopped.indexOf('ticker')).toBeLessThan(stopped.indexOf('web'));
      expect(stopped.indexOf('web')).toBeLessThan(stopped.indexOf('syslog'));
      // The machine honours shutdownTimeout too: SIGTERM, the configured grace, then SIGKILL for the deaf process.
      expect(after).toMatch(/SIGKILL after 1200ms/);
      expect(after).toMatch(/processes left after 1200ms: \d+; sending SIGKILL/);
      expect(after).toMatch(/unmounted [^\n]*\/tmp[^\n]*; \/ is read-only/);
      expect(after).toMatch(/reboot: Power down/);
    },
    2 * bootTimeoutMs,
  );
});
