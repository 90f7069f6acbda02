// The PID 1 matrix tini and dumb-init test, against `bootstrap supervise` as PID 1 of a PID namespace.
import { closeSync, existsSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orphanStorm } from '../../harness/pid1';
import { binary, signalMasks, startSupervisor } from './run-supervisor';
import { openPty } from '../../src/sys/pty';

const main = (script: string, extra = ''): string => `logLevel: info
postSwitch:
  handoff:
    mode: supervise
    shutdownTimeout: 2s
    processes:
      app:
        program: /bin/sh
        arguments: [-c, ${JSON.stringify(script)}]
        main: true
        stopTimeout: 2s
${extra}`;

describe('bootstrap supervise as PID 1', () => {
  it.each([0, 1, 2, 42, 127, 128, 200, 255])('exits with the main service status %i', async (status) => {
    const supervisor = await startSupervisor(main(`exit ${status}`));
    expect(await supervisor.exited, supervisor.output()).toBe(status);
  });

  it.each([
    ['KILL', 137],
    ['TERM', 143],
    ['SEGV', 139],
  ])('a main service killed by SIG%s gives 128+signal (%i)', async (signal, status) => {
    const supervisor = await startSupervisor(main(`kill -${signal} $$`));
    expect(await supervisor.exited, supervisor.output()).toBe(status);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPWR'] as const)('%s reaches a service that traps it', async (signal) => {
    const name = signal.slice(3);
    // The trap records the signal; HUP/USR1/USR2 leave it running, the others end it with status 3.
    const script = `trap 'echo ${name} > $DIR/got; [ ${name} = HUP ] || [ ${name} = USR1 ] || [ ${name} = USR2 ] || exit 3' ${name}; echo trapping; while :; do sleep 0.05; done`;
    const supervisor = await startSupervisor(main(script));
    await supervisor.waitFor(/app: trapping/);
    supervisor.signal(signal);
    const got = join(supervisor.dir, 'got');
    for (let tries = 0; tries < 200 && !existsSync(got); tries++) await new Promise((done) => setTimeout(done, 20));
    expect(readFileSync(got, 'utf8').trim(), supervisor.output()).toBe(name);
    if (['SIGHUP', 'SIGUSR1', 'SIGUSR2'].includes(signal)) {
      // Forwarded only: the service and the supervisor go on until asked to stop.
      await new Promise((done) => setTimeout(done, 200));
      expect(existsSync(`/proc/${supervisor.pid}`)).toBe(true);
      supervisor.signal('SIGTERM');
      expect(await supervisor.exited).toBe(143);
    } else {
      expect(await supervisor.exited, supervisor.output()).toBe(3);
    }
    if (signal === 'SIGUSR1') expect(supervisor.output()).not.toMatch(/Debugger listening|inspector/i);
  });

  it('SIGUSR1 never opens the Node inspector', async () => {
    // The service survives the forwarded USR1, so the supervisor is still there to be looked at.
    const supervisor = await startSupervisor(main("trap 'echo usr1' USR1; echo up; while :; do sleep 0.05; done"));
    await supervisor.waitFor(/app: up/);
    supervisor.signal('SIGUSR1');
    await supervisor.waitFor(/app: usr1/);
    await new Promise((done) => setTimeout(done, 300));
    const listening = execFileSync('ss', ['-Hltn', 'sport = :9229'], { encoding: 'utf8' });
    expect(listening.trim()).toBe('');
    supervisor.signal('SIGTERM');
    await supervisor.exited;
    expect(supervisor.output()).not.toMatch(/Debugger listening/);
  });

  it('has handlers for TERM, INT, HUP, QUIT, USR1, USR2 and PWR from the start, and its cwd is /', async () => {
    const supervisor = await startSupervisor(main('echo up; while :; do sleep 0.05; done'));
    await supervisor.waitFor(/app: up/);
    const { SigCgt } = signalMasks(supervisor.pid);
    for (const signal of [1, 2, 3, 10, 12, 15, 30]) expect((SigCgt >> BigInt(signal - 1)) & 1n, `signal ${signal} caught`).toBe(1n);
    expect(readlinkSync(`/proc/${supervisor.pid}/cwd`)).toBe('/');
    supervisor.signal('SIGTERM');
    await supervisor.exited;
  });

  it('starts services with an empty blocked mask, default dispositions, and only fds 0-2', async () => {
    const script = 'grep -E "^Sig(Blk|Ign)" /proc/self/status > $DIR/masks; ls /proc/self/fd > $DIR/fds; exit 0';
    const supervisor = await startSupervisor(main(script));
    expect(await supervisor.exited, supervisor.output()).toBe(0);
    const masks = readFileSync(join(supervisor.dir, 'masks'), 'utf8');
    expect(masks).toMatch(/SigBlk:\s*0000000000000000/);
    expect(masks).toMatch(/SigIgn:\s*0000000000000000/);
    // ls itself opens one directory fd (3) to list /proc/self/fd.
    expect(readFileSync(join(supervisor.dir, 'fds'), 'utf8').split('\n').filter(Boolean).sort()).toEqual(['0', '1', '2', '3']);
  });
});

describe('bootstrap supervise keeps up', () => {
  it('reaps 10,000 orphaned zombies a service leaves behind: none is left', async () => {
    const storm = orphanStorm();
    const supervisor = await startSupervisor(main(`${storm} 10000; echo storm-done; while :; do sleep 0.05; done`));
    await supervisor.waitFor(/app: storm-done/, 60_000);
    let zombies = Infinity;
    for (let tries = 0; tries < 500 && zombies > 0; tries++) {
      zombies = zombieChildren(supervisor.pid);
      if (zombies > 0) await new Promise((done) => setTimeout(done, 20));
    }
    expect(zombies).toBe(0);
    supervisor.signal('SIGTERM');
    expect(await supervisor.exited).toBe(143);
  }, 90_000);

  it('reports exit codes and 128+signal through ctl status --output json', async () => {
    const config = `logLevel: warn
postSwitch:
  handoff:
    mode: supervise
    processes:
      seven: {program: /bin/sh, arguments: [-c, "exit 7"], restart: never}
      killed: {program: /bin/sh, arguments: [-c, "kill -KILL $$"], restart: never}
      idle: {program: /bin/sh, arguments: [-c, "echo idle; while :; do sleep 0.05; done"]}
`;
    const supervisor = await startSupervisor(config);
    await supervisor.waitFor(/idle: idle/);
    let services: { name: string; state: string; lastExit: { status: number; code: number | null; signal: string | null } | null }[] = [];
    for (let tries = 0; tries < 100; tries++) {
      const status = JSON.parse(execFileSync(binary, ['ctl', '--socket', join(supervisor.dir, 'control.sock'), 'status', '--output', 'json'], { encoding: 'utf8' })) as { services: typeof services };
      services = status.services;
      if (services.filter((service) => service.lastExit).length === 2) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    const byName = Object.fromEntries(services.map((service) => [service.name, service]));
    expect(byName['seven']).toMatchObject({ state: 'stopped', lastExit: { status: 7, code: 7, signal: null } });
    expect(byName['killed']).toMatchObject({ state: 'stopped', lastExit: { status: 137, code: null, signal: 'SIGKILL' } });
    expect(byName['idle']?.lastExit).toBeNull();
    supervisor.signal('SIGTERM');
    expect(await supervisor.exited).toBe(0);
  });

  it('a console nobody reads (a stuck pty) stops neither reaping nor shutdown', async () => {
    const pty = openPty();
    const slave = openSync(pty.slavePath, 'r+');
    try {
      const storm = orphanStorm();
      // Services flood the console; nobody ever reads the pty's master side, so it fills up at once.
      const config = main(`${storm} 2000; echo storm-done > $DIR/storm; while :; do sleep 0.05; done`, `      noisy:
        program: /bin/sh
        arguments: [-c, "while :; do echo a-long-line-of-console-output-that-nobody-reads; done"]
`);
      const supervisor = await startSupervisor(config, { stdio: ['ignore', slave, slave] });
      const marker = join(supervisor.dir, 'storm');
      for (let tries = 0; tries < 1500 && !existsSync(marker); tries++) await new Promise((done) => setTimeout(done, 20));
      expect(existsSync(marker)).toBe(true);
      let zombies = Infinity;
      for (let tries = 0; tries < 500 && zombies > 0; tries++) {
        zombies = zombieChildren(supervisor.pid);
        if (zombies > 0) await new Promise((done) => setTimeout(done, 20));
      }
      expect(zombies).toBe(0);
      const asked = performance.now();
      supervisor.signal('SIGTERM');
      expect(await supervisor.exited).toBe(143);
      // Both services stop at the TERM itself; nothing waits on the console.
      expect(performance.now() - asked).toBeLessThan(5000);
    } finally {
      closeSync(pty.masterFd);
      closeSync(slave);
    }
  }, 90_000);
});

// PID 1's zombies are still its children; its one live child is the main service.
function zombieChildren(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
  return children.filter((child) => {
    try {
      return /^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
}

describe('bootstrap supervise runs services as other users', () => {
  it.each([
    ['by number', 'user: 65534, group: 65534'],
    ['by name', 'user: nobody'],
  ])('user and group %s: the service has those ids and only its groups', async (_, identity) => {
    const config = `logLevel: warn
postSwitch:
  handoff:
    mode: supervise
    processes:
      app: {program: /bin/sh, arguments: [-c, "id -u > $DIR/ids; id -g >> $DIR/ids; id -G >> $DIR/ids"], main: true, ${identity}}
`;
    // The service (uid 65534) must be able to write its answer in the directory.
    const supervisor = await startSupervisor(config, { dirMode: 0o777 });
    const dir = supervisor.dir;
    expect(await supervisor.exited, supervisor.output()).toBe(0);
    const [uid, gid, groups] = readFileSync(join(dir, 'ids'), 'utf8').trim().split('\n');
    expect(uid).toBe('65534');
    expect(gid).toBe(identity.includes('group') ? '65534' : execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    expect(groups!.split(' ')).not.toContain('0');
  });

  it('an unknown user fails the service with the name, and the container with it', async () => {
    const supervisor = await startSupervisor(`postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n      app: {program: /bin/true, main: true, user: no-such-user}\n`);
    expect(await supervisor.exited).toBe(1);
    expect(supervisor.output()).toContain('user no-such-user is not in /etc/passwd');
  });
});
