// `bootstrap vm` for real: the built executable boots a busybox guest root in QEMU (TCG) with the cached Debian
// kernel, runs one command in it, and leaves nothing behind however it ends.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bedArgs, bootstrapBinary, buildGuestRoot, processesMentioning, readKernelEnv, removeTempDirs, startVm, tempDir, waitUntilGone, type KernelEnv, type VmRun } from '../../harness/vm';

const runTimeoutMs = 90_000;
let kernel: KernelEnv;
let cacheDir: string;
const runs: VmRun[] = [];

// Every entry of a tree with its type, size and mtime: what "untouched" means.
function snapshot(dir: string): string[] {
  const entries: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const stat = lstatSync(full);
      entries.push(`${full} ${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return entries;
}

function vm(args: readonly string[], stdin: 'ignore' | 'pipe' = 'ignore'): VmRun {
  const run = startVm([...bedArgs(kernel), ...args], { cacheDir, stdin });
  runs.push(run);
  return run;
}

beforeAll(() => {
  kernel = readKernelEnv();
  // One cache for the file: the first run packs the base image, the others reuse it.
  cacheDir = tempDir('vm-cache');
});

afterEach(() => {
  // A failed test must not leave vm running; its children follow it (setpriv --pdeathsig).
  for (const run of runs.splice(0)) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
});

afterAll(removeTempDirs);

describe('bootstrap vm', () => {
  it(
    "runs the command, shows its output, exits with its status, and leaves the root untouched under the overlay",
    async () => {
      const root = buildGuestRoot(tempDir('vm-root'));
      const before = snapshot(root);
      const run = vm(['--root', root, '--', '/bin/sh', '-c', 'echo hi; echo to-stderr >&2; echo written >/from-guest; rm /bin/cat; exit 7']);
      const exit = await run.exited;
      expect({ exit, stdout: run.stdout(), stderr: run.stderr() }).toEqual({ exit: { code: 7, signal: null }, stdout: 'hi\n', stderr: 'to-stderr\n' });
      expect(existsSync(join(root, 'from-guest'))).toBe(false);
      expect(snapshot(root)).toEqual(before);
    },
    runTimeoutMs,
  );

  it(
    'writes through to the root with --rw, and passes vm\'s stdin on to the command up to its end',
    async () => {
      const root = buildGuestRoot(tempDir('vm-root-rw'));
      const run = vm(['--root', root, '--rw', '--', '/bin/sh', '-c', 'echo hi; cat >/from-guest; exit 7'], 'pipe');
      run.child.stdin?.end('written through\nby the guest\n');
      expect(await run.exited).toEqual({ code: 7, signal: null });
      expect(run.stdout()).toBe('hi\n');
      expect(readFileSync(join(root, 'from-guest'), 'utf8')).toBe('written through\nby the guest\n');
    },
    runTimeoutMs,
  );

  it(
    "boots the user's config with --config, its console on stdout, and exits 0 when the guest powers off",
    async () => {
      const root = buildGuestRoot(tempDir('vm-root-config'));
      const config = join(tempDir('vm-config'), 'bootstrap.yaml');
      writeFileSync(
        config,
        `emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio_pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`,
      );
      const run = vm(['--root', root, '--config', config]);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      // The guest root's init, exec'd by bootstrap as PID 1, says so on the console, which is vm's stdout.
      expect(run.stdout()).toMatch(/bootstrap: exec \["\/sbin\/init"\][\s\S]*guest-root: init reached pid=1 /);
    },
    runTimeoutMs,
  );

  it(
    'passes SIGINT to the running command as ^C, and SIGTERM stops QEMU and virtiofsd with it',
    async () => {
      const root = buildGuestRoot(tempDir('vm-root-term'));
      const run = vm(['--root', root, '--', '/bin/sh', '-c', 'trap "echo got-int" INT; echo started; while :; do sleep 1; done']);
      // Output arrives as it is written, while the command still runs.
      await run.waitFor(/^started\n$/, runTimeoutMs);
      const started = processesMentioning(run.tmp);
      expect(started.map((found) => found.commandLine).join('\n')).toMatch(/qemu-system-x86_64 /);
      expect(started.map((found) => found.commandLine).join('\n')).toMatch(/virtiofsd /);
      run.child.kill('SIGINT');
      await run.waitFor(/got-int\n/, 20_000);
      expect(run.child.exitCode).toBeNull();
      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 143, signal: null });
      expect(await waitUntilGone(run.tmp, 5000)).toEqual([]);
      for (const { pid } of started) expect(existsSync(`/proc/${pid}`) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), `pid ${pid}`).toBe(false);
    },
    runTimeoutMs,
  );

  it.each([
    ['SIGINT', { code: 130, signal: null }],
    ['SIGHUP', { code: 129, signal: null }],
    // Nothing of vm runs after SIGKILL: the kernel ends its children (setpriv --pdeathsig KILL).
    ['SIGKILL', { code: null, signal: 'SIGKILL' }],
  ] as const)(
    'leaves no QEMU or virtiofsd when %s comes during the boot',
    async (signal, ended) => {
      const root = buildGuestRoot(tempDir('vm-root-boot-signal'));
      const run = vm(['--root', root, '--', 'true']);
      const deadline = performance.now() + 30_000;
      let started = processesMentioning(run.tmp);
      while (!started.some((found) => found.commandLine.includes('qemu-system-x86_64')) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        started = processesMentioning(run.tmp);
      }
      expect(started.map((found) => found.commandLine).join('\n')).toMatch(/qemu-system-x86_64 [\s\S]*virtiofsd |virtiofsd [\s\S]*qemu-system-x86_64 /);
      run.child.kill(signal);
      expect(await run.exited).toEqual(ended);
      expect(await waitUntilGone(run.tmp, 5000)).toEqual([]);
    },
    runTimeoutMs,
  );

  it(
    "boots the host's own root by default, starts where vm was started, and gives the command a terminal: ^C typed there interrupts it",
    async () => {
      const cwd = tempDir('vm-cwd');
      // A file only this host has, read in the guest through its working directory.
      const probe = `probe-${process.pid}-${Date.now()}`;
      writeFileSync(join(cwd, 'probe'), `${probe}\n`);
      // script(1) runs vm on a pseudo-terminal of its own; what the test writes to script's stdin is typed there.
      const args = [...bedArgs(kernel), '--', '/bin/sh', '-c', 'tty; pwd; cat probe; echo ready; sleep 600; echo not-reached'].map((arg) => `'${arg}'`).join(' ');
      const script = spawn('script', ['-qec', `stty rows 24 cols 80; exec ${bootstrapBinary} vm ${args}`, '/dev/null'], {
        cwd,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', XDG_CACHE_HOME: cacheDir, TMPDIR: tempDir('vm-tmp') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      script.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => script.once('close', (code) => resolve(code)));
      try {
        const deadline = performance.now() + runTimeoutMs - 10_000;
        while (!output.includes('ready\r\n') && script.exitCode === null && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(output).toContain(`/dev/hvc0\r\n${cwd}\r\n${probe}\r\nready\r\n`);
        script.stdin.write('\x03');
        // Bounded, so a ^C that ends nothing fails with what the terminal showed, not with the test's timeout.
        const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('no exit within 20 s of ^C'), 20_000))]);
        expect(code, output).toBe(130);
        expect(output).not.toContain('not-reached');
        // Lines end in \r\n once: the guest's terminal converts, vm's raw terminal passes bytes as they are.
        expect(output).not.toContain('\r\r\n');
      } finally {
        script.kill('SIGKILL');
      }
    },
    runTimeoutMs,
  );
});
