// postSwitch.initctl with dist/bootstrap as PID 1 of a PID namespace: runlevel requests end it through the shutdown,
// garbage is dropped while it keeps running, and the host's /dev/initctl is never made. `bootstrap boot` mounts
// devtmpfs on /dev (the host's, shared by every devtmpfs mount), so its FIFO goes where bootstrap.test.initctl says;
// `bootstrap supervise` mounts nothing, so it gets a tmpfs /dev of its own and makes the real /dev/initctl there.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childOf } from '../../harness/pid1';
import { encodeRunlevelRequest } from '../../src/pid1/init-request';
import { binary, startPid1Program } from '../supervise/run-supervisor';

// What the host's /dev/initctl is before the tests (normally nothing); it must be the same after them.
const hostInitctl = (): string => {
  try {
    const stat = lstatSync('/dev/initctl');
    return `${stat.ino}:${stat.mode}`;
  } catch {
    return 'absent';
  }
};
let hostBefore: string;
beforeAll(() => {
  hostBefore = hostInitctl();
});
afterAll(() => {
  expect(hostInitctl()).toBe(hostBefore);
});

function send(fifo: string, bytes: Uint8Array): void {
  const fd = openSync(fifo, 'w');
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

const startBoot = (config: string) => startPid1Program(config, (file, dir) => ['boot', '--config', file, '--cmdline', `bootstrap.test.initctl=${join(dir, 'initctl')}`]);

const isRunning = (pid: number): boolean => existsSync(`/proc/${pid}/stat`);

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('initctl as PID 1 of a PID namespace', () => {
  it('handoff none: garbage is logged and dropped while PID 1 keeps running; runlevel 0 ends it through the shutdown with status 0', async () => {
    const boot = await startBoot('logLevel: debug\npostSwitch:\n  initctl: true\n  handoff: {mode: none}\n');
    const fifo = join(boot.dir, 'initctl');
    await boot.waitFor(/initctl: taking SysV init requests on /);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(fifo).mode & 0o7777).toBe(0o600);
    send(fifo, Buffer.from('not a request\n'));
    await boot.waitFor(/dropped a malformed request on \S+: 14 bytes, not the 384 of a request/);
    send(fifo, encodeRunlevelRequest('0', 0x12345678));
    await boot.waitFor(/bad magic 0x12345678/);
    await new Promise((done) => setTimeout(done, 200));
    expect(isRunning(boot.pid), boot.output()).toBe(true);
    send(fifo, encodeRunlevelRequest('0'));
    expect(await boot.exited, boot.output()).toBe(0);
    const output = boot.output();
    expect(output).toMatch(/initctl: runlevel 0 requested on /);
    expect(output).toMatch(/shutting down \(poweroff\): runlevel 0 requested on /);
    expect(output).toMatch(/exiting with status 0 instead of poweroff/);
  });

  it('handoff supervise: runlevel 6 stops the services and ends through the shutdown with the main service\'s status', async () => {
    const boot = await startBoot(`postSwitch:
  initctl: true
  handoff:
    mode: supervise
    processes:
      app: {program: /bin/sh, arguments: [-c, "trap 'exit 0' TERM; : > $DIR/trapping; while :; do sleep 0.1; done"]}
`);
    const fifo = join(boot.dir, 'initctl');
    await boot.waitFor(/initctl: taking SysV init requests on /);
    // A TERM before the shell has set its trap would end it with 143 instead of 0.
    await until(() => existsSync(join(boot.dir, 'trapping')));
    send(fifo, encodeRunlevelRequest('6'));
    const status = await boot.exited;
    const output = boot.output();
    expect(output).toMatch(/shutting down \(reboot\): runlevel 6 requested on /);
    expect(output).toMatch(/stopping services in reverse dependency order/);
    // The only process is the main one; it traps TERM and exits 0, which is what the namespace's PID 1 exits with.
    expect(output).toMatch(/app stopped: exited with status 0/);
    expect(status, output).toBe(0);
  });

  it('handoff shell: runlevel 0 while the shell runs ends it through the shutdown, without a respawn', async () => {
    const boot = await startBoot(`postSwitch:
  initctl: true
  handoff: {mode: shell, program: /bin/sh, arguments: [-c, "echo started >> $DIR/starts; exec sleep 30"], onExit: respawn}
`);
    await boot.waitFor(/initctl: taking SysV init requests on /);
    await until(() => existsSync(join(boot.dir, 'starts')));
    send(join(boot.dir, 'initctl'), encodeRunlevelRequest('0'));
    expect(await boot.exited, boot.output()).toBe(0);
    expect(boot.output()).toMatch(/shutting down \(poweroff\): runlevel 0 requested on /);
    expect(boot.output()).not.toMatch(/respawning/);
  });

  it('bootstrap supervise in a container with its own /dev makes /dev/initctl there; runlevel 0 ends it with status 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'initctl-supervise-'));
    const config = join(dir, 'bootstrap.yaml');
    writeFileSync(config, `postSwitch:
  initctl: true
  handoff:
    mode: supervise
    processes:
      app: {program: /bin/sh, arguments: [-c, "trap 'exit 0' TERM; : > ${dir}/trapping; while :; do sleep 0.1; done"], main: true}
`);
    // PID 1 is the shell until it has mounted a tmpfs on /dev (with /dev/null in it), then bootstrap itself.
    const script = `mount -t tmpfs -o mode=0755 container-dev /dev && mknod -m 666 /dev/null c 1 3 && exec "$0" supervise --config "$1" --socket "$2"`;
    const child = spawn('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', '--kill-child', '/bin/sh', '-c', script, binary, config, join(dir, 'control.sock')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const pid = await childOf(child.pid!);
      const deadline = Date.now() + 10_000;
      while (!/initctl: taking SysV init requests on \/dev\/initctl/.test(output)) {
        if (Date.now() > deadline) throw new Error(`no initctl; output:\n${output}`);
        await new Promise((done) => setTimeout(done, 20));
      }
      await until(() => existsSync(join(dir, 'trapping')));
      // Its /dev, seen through its root from here.
      const fifo = `/proc/${pid}/root/dev/initctl`;
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      send(fifo, encodeRunlevelRequest('0'));
      expect(await exited, output).toBe(0);
      expect(output).toMatch(/shutting down \(poweroff\): runlevel 0 requested on \/dev\/initctl/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
