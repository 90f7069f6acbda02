// `bootstrap boot` as PID 1 of a PID namespace: the runtime's namespace role, and shutdown semantics that hold
// whenever the power-down comes (during the steps, during a shell handoff, with processes that ignore SIGTERM).
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPid1Program, type Pid1ProgramOptions } from '../supervise/run-supervisor';

const startBoot = (config: string, options: Pid1ProgramOptions = {}) => startPid1Program(config, (file) => ['boot', '--config', file, '--cmdline', ''], options);

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe('bootstrap boot as PID 1 of a PID namespace', () => {
  it('logs to the standard error it inherited and leaves the host console alone', async () => {
    const boot = await startBoot(`console: /dev/null
logLevel: debug
preSwitch:
  hooks:
    - "awk '{print $7}' /proc/1/stat > $DIR/tty"
postSwitch:
  handoff: {mode: exec, program: /bin/true}
`);
    expect(await boot.exited, boot.output()).toBe(0);
    const output = boot.output();
    expect(output).toMatch(/bootstrap starting as PID 1 of a PID namespace/);
    expect(output).toMatch(/\/dev\/null is the host's console/);
    // tty_nr 0: PID 1 has no controlling terminal; it took none.
    expect(readFileSync(join(boot.dir, 'tty'), 'utf8').trim()).toBe('0');
  });

  it('shares the offset of an inherited regular file with its children, so no line overwrites another', async () => {
    // Opened without O_APPEND, as a shell's `2>file` does: a second open file description would write at its own offset.
    const file = join(mkdtempSync(join(tmpdir(), 'pid1-out-')), 'out');
    const fd = openSync(file, 'w');
    const boot = await startBoot(`logLevel: info
preSwitch:
  hooks:
    - "echo hook-one-stderr >&2"
    - "echo hook-two-stdout"
postSwitch:
  handoff: {mode: exec, program: /bin/sh, arguments: [-c, "echo handoff-line"]}
`, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    expect(await boot.exited).toBe(0);
    const text = readFileSync(file, 'utf8');
    const order = ['bootstrap starting', 'phase preSwitch', 'hook-one-stderr', 'hook-two-stdout', 'phase postSwitch', 'handoff-line'].map((line) => text.indexOf(line));
    expect(order.every((at) => at >= 0), text).toBe(true);
    expect([...order].sort((a, b) => a - b), text).toEqual(order);
  });

  it('logLevel: trace logs every call into the kernel with its arguments, which debug does not', async () => {
    const config = (level: string): string => `logLevel: ${level}
preSwitch:
  hooks: ["true"]
postSwitch:
  handoff: {mode: exec, program: /bin/true}
`;
    const trace = await startBoot(config('trace'));
    expect(await trace.exited, trace.output()).toBe(0);
    expect(trace.output()).toMatch(/trace: sys → posixSpawn\(\{"path":"\/bin\/sh"/);
    expect(trace.output()).toMatch(/trace: sys ← posixSpawn = \d+/);
    const debug = await startBoot(config('debug'));
    expect(await debug.exited, debug.output()).toBe(0);
    expect(debug.output()).not.toMatch(/sys →/);
  });

  it.each([
    ['/dev/zero', /cannot read \/dev\/zero: it is a character device, not a regular file/],
    ['FIFO', /it is a FIFO \(named pipe\), not a regular file/],
  ])('a config at %s ends in the emergency action with the cause, never a hang or a heap exhausted', async (kind, message) => {
    const boot = await startPid1Program('', (file, dir) => {
      const path = kind === 'FIFO' ? join(dir, 'fifo') : kind;
      if (kind === 'FIFO') execFileSync('mkfifo', [path]);
      return ['boot', '--config', path, '--cmdline', ''];
    });
    expect(await boot.exited, boot.output()).toBe(1);
    expect(boot.output()).toMatch(message);
    expect(boot.output()).toMatch(/shutting down \(poweroff\)/);
  });

  it('a config that validation refuses (a duration no timer holds, a NUL, a dependency named toString) ends in the emergency action naming each place', async () => {
    const boot = await startBoot(`emergency: {action: poweroff}
postSwitch:
  handoff:
    mode: supervise
    processes:
      app:
        program: "/bin/sh\\0"
        backoff: {initial: 1s, max: 1000h}
        dependsOn: [toString]
`);
    expect(await boot.exited, boot.output()).toBe(1);
    const output = boot.output();
    expect(output).toMatch(/bootstrap.yaml:7:\d+: error [^\n]*NUL/);
    expect(output).toMatch(/bootstrap.yaml:8:\d+: error [^\n]*596h/);
    expect(output).toMatch(/bootstrap.yaml:9:\d+: error unknown-dependency/);
  });

  it('a signal during the boot stops the step runner: no step starts after the shutdown began', async () => {
    const boot = await startBoot(`logLevel: debug
emergency: {action: poweroff}
preSwitch:
  hooks:
    - "touch $DIR/first; exec sleep 30"
    - "touch $DIR/second"
postSwitch:
  handoff: {mode: exec, program: /bin/true}
`);
    await until(() => existsSync(join(boot.dir, 'first')), 'the first hook');
    boot.signal('SIGTERM');
    expect(await boot.exited, boot.output()).toBe(0);
    expect(boot.output()).toMatch(/shutting down \(poweroff\): received SIGTERM/);
    expect(boot.output()).toMatch(/sending SIGTERM to the remaining processes/);
    // Leave time for a runner that would go on (the hook ended when SIGTERM reached it).
    await new Promise((done) => setTimeout(done, 300));
    expect(existsSync(join(boot.dir, 'second')), boot.output()).toBe(false);
  });

  it.each(['respawn', 'reboot'])('a power-down during a shell handoff (onExit: %s) ends through the shutdown, once', async (onExit) => {
    const boot = await startBoot(`logLevel: info
postSwitch:
  handoff:
    mode: shell
    program: /bin/sh
    arguments: [-c, "echo started >> $DIR/starts; exec sleep 30"]
    onExit: ${onExit}
`);
    await until(() => existsSync(join(boot.dir, 'starts')), 'the shell');
    boot.signal('SIGTERM');
    // poweroff's status, not onExit's reboot (1) and no respawn.
    expect(await boot.exited, boot.output()).toBe(0);
    expect(readFileSync(join(boot.dir, 'starts'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(boot.output()).not.toMatch(/respawning/);
    expect(boot.output().match(/shutting down/g)).toHaveLength(1);
  });

  it('handoff none holds PID 1 until a signal ends it (it exited with 0 at once: nothing kept the event loop alive)', async () => {
    const boot = await startBoot('postSwitch:\n  handoff: {mode: none}\n');
    await boot.waitFor(/no handoff program: PID 1 reaps and holds/);
    await new Promise((done) => setTimeout(done, 500));
    expect(existsSync(`/proc/${boot.pid}/stat`), boot.output()).toBe(true);
    boot.signal('SIGTERM');
    expect(await boot.exited, boot.output()).toBe(0);
    expect(boot.output()).toMatch(/shutting down \(poweroff\): received SIGTERM/);
  });

  it('honours shutdownTimeout between SIGTERM and SIGKILL for processes that ignore SIGTERM', async () => {
    const boot = await startBoot(`logLevel: info
postSwitch:
  handoff:
    mode: supervise
    shutdownTimeout: 1500ms
    processes:
      app:
        program: /bin/sh
        # A process in a session of its own, deaf to SIGTERM: only the shutdown's SIGKILL ends it.
        arguments: [-c, "setsid sh -c 'trap \\"\\" TERM; echo deaf > $DIR/deaf; while :; do sleep 0.1; done' & exec sleep 30"]
`);
    await until(() => existsSync(join(boot.dir, 'deaf')), 'the deaf process');
    const started = Date.now();
    boot.signal('SIGTERM');
    expect(await boot.exited, boot.output()).toBe(0);
    const elapsed = Date.now() - started;
    expect(boot.output()).toMatch(/SIGKILL after 1500ms/);
    expect(boot.output()).toMatch(/processes left after 1500ms: \d+; sending SIGKILL/);
    // The grace was given in full, and not the fixed two seconds of old.
    expect(elapsed).toBeGreaterThanOrEqual(1400);
  });
});
