// The supervisor's decisions on a fake clock and fake children: backoff, start limit, conditions, stop order, statuses.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log/log';
import type { Process } from '../../src/config/generated/config-types';
import type { ExitInfo, ServiceStatus } from '../../src/supervisor/model';
import { UNKILLABLE_GRACE_MS, createSupervisor, type Supervisor } from '../../src/supervisor/supervisor';
import { fakeWorld, type FakeWorld } from './fake-world';

/** A process as validation leaves it (every default filled in), output dropped so no pipe is needed. */
function service(program: string, overrides: Partial<Process> = {}): Process {
  return {
    program,
    workingDirectory: '/',
    type: 'longrun',
    main: false,
    backoff: { initial: '100ms', max: '1s', factor: 2 },
    startLimit: { count: 5, interval: '60s' },
    onFailed: 'ignore',
    stdout: 'null',
    stderr: 'null',
    stopSignal: 'SIGTERM',
    stopTimeout: '2s',
    ...overrides,
  };
}

interface Run {
  world: FakeWorld;
  supervisor: Supervisor;
  escalations: [string, string, string][];
  mainExits: ExitInfo[];
  changes: ServiceStatus[];
  logLines: string[];
}

let run: Run;

function supervise(processes: Record<string, Process>): Run {
  const world = fakeWorld();
  const escalations: Run['escalations'] = [];
  const mainExits: ExitInfo[] = [];
  const changes: ServiceStatus[] = [];
  const logLines: string[] = [];
  const log = createLogger({ write: (text) => (logLines.push(text), true) }, 'debug');
  const supervisor = createSupervisor({
    handoff: { mode: 'supervise', processes, shutdownTimeout: '5s' },
    env: { PATH: '/usr/bin:/bin' },
    sys: world.sys,
    children: world.children,
    log,
    consoleSink: { write: () => true },
    onEscalate: (action, name, reason) => escalations.push([action, name, reason]),
    onMainExit: (exit) => mainExits.push(exit),
    onStateChange: (status) => changes.push(status),
  });
  run = { world, supervisor, escalations, mainExits, changes, logLines };
  return run;
}

const stateOf = (name: string): ServiceStatus => {
  const found = run.supervisor.status().find((status) => status.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('restart with backoff and the start limit', () => {
  it('waits initial × factor^n between restarts, capped at max, then fails at the start limit and escalates', async () => {
    const { world, supervisor, escalations } = supervise({ crash: service('/svc/crash', { startLimit: { count: 7, interval: '60s' }, onFailed: 'poweroff' }) });
    world.behaviours.set('/svc/crash', { exitAfter: { ms: 0, code: 3 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(10_000);
    const starts = world.of('/svc/crash').map((process) => process.at);
    expect(starts.slice(1).map((at, index) => at - starts[index]!)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(stateOf('crash')).toMatchObject({ state: 'failed', starts: 7, restarts: 6, lastExit: { code: 3, signal: null, status: 3 } });
    expect(escalations).toEqual([['poweroff', 'crash', 'start limit hit: 7 starts within 1m']]);
  });

  it('fails without escalating when onFailed is ignore, and does not start again', async () => {
    const { world, supervisor, escalations } = supervise({ crash: service('/svc/crash', { startLimit: { count: 2, interval: '60s' } }) });
    world.behaviours.set('/svc/crash', { exitAfter: { ms: 0, code: 1 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(world.of('/svc/crash')).toHaveLength(2);
    expect(stateOf('crash').state).toBe('failed');
    expect(escalations).toEqual([]);
  });

  it('forgets starts older than the interval', async () => {
    const { world, supervisor } = supervise({ slow: service('/svc/slow', { backoff: { initial: '1s', max: '1s', factor: 1 }, startLimit: { count: 3, interval: '5s' } }) });
    // Up 2 s, then down 1 s: a start every 3 s, never more than 2 within 5 s.
    world.behaviours.set('/svc/slow', { exitAfter: { ms: 2000, code: 1 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(world.of('/svc/slow').length).toBeGreaterThanOrEqual(10);
    expect(stateOf('slow').state).not.toBe('failed');
  });

  it('resets the backoff once the service stayed up for max', async () => {
    const { world, supervisor } = supervise({ flap: service('/svc/flap', { startLimit: { count: 100, interval: '60s' } }) });
    world.behaviours.set('/svc/flap', { exitAfter: { ms: 0, code: 1 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(350); // starts at 0, 100, 300
    world.behaviours.set('/svc/flap', { exitAfter: { ms: 1000, code: 1 } });
    await vi.advanceTimersByTimeAsync(400 + 1000 + 150); // start at 700, up 1 s, ends at 1700
    const starts = world.of('/svc/flap').map((process) => process.at - world.spawned[0]!.at);
    expect(starts).toEqual([0, 100, 300, 700, 1800]);
  });

  it('restarts onFailure only after a failure, never never, and records 128+signal', async () => {
    const { world, supervisor } = supervise({
      good: service('/svc/good', { restart: 'onFailure' }),
      bad: service('/svc/bad', { restart: 'onFailure' }),
      once: service('/svc/once', { restart: 'never' }),
    });
    world.behaviours.set('/svc/good', { exitAfter: { ms: 10, code: 0 } });
    world.behaviours.set('/svc/bad', { exitAfter: { ms: 10, signal: 'SIGSEGV' } });
    world.behaviours.set('/svc/once', { exitAfter: { ms: 10, code: 9 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(50);
    expect(stateOf('good')).toMatchObject({ state: 'stopped', starts: 1, lastExit: { code: 0, status: 0 } });
    expect(stateOf('bad')).toMatchObject({ state: 'backoff', starts: 1, lastExit: { code: null, signal: 'SIGSEGV', status: 139 } });
    expect(stateOf('once')).toMatchObject({ state: 'stopped', starts: 1, lastExit: { status: 9 } });
    await vi.advanceTimersByTimeAsync(100);
    expect(stateOf('bad')).toMatchObject({ starts: 2, restarts: 1 });
    expect(stateOf('good').starts).toBe(1);
  });

  it('a oneshot is not restarted by default: completed on 0, failed (and escalated) otherwise', async () => {
    const { world, supervisor, escalations } = supervise({
      ok: service('/svc/ok', { type: 'oneshot' }),
      ko: service('/svc/ko', { type: 'oneshot', onFailed: 'emergency' }),
    });
    world.behaviours.set('/svc/ok', { exitAfter: { ms: 5, code: 0 } });
    world.behaviours.set('/svc/ko', { exitAfter: { ms: 5, code: 4 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(stateOf('ok')).toMatchObject({ state: 'completed', starts: 1 });
    expect(stateOf('ko')).toMatchObject({ state: 'failed', starts: 1, lastExit: { status: 4 } });
    expect(escalations).toEqual([['emergency', 'ko', 'exited with status 4']]);
  });

  it('a program that cannot be spawned ends with status 127 and follows the restart policy', async () => {
    const { world, supervisor } = supervise({ gone: service('/missing/daemon', { startLimit: { count: 3, interval: '60s' } }) });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(world.spawned).toHaveLength(0);
    expect(stateOf('gone')).toMatchObject({ state: 'failed', starts: 3, lastExit: { code: 127, status: 127 } });
  });

  it('a spawn failure waits the backoff and counts toward the start limit, even while other services start around it', async () => {
    const { world, supervisor, escalations } = supervise({
      gone: service('/missing/daemon', { startLimit: { count: 5, interval: '60s' }, onFailed: 'poweroff' }),
      a: service('/svc/a'),
      b: service('/svc/b'),
      c: service('/svc/c', { dependsOn: { a: 'ready' } }),
    });
    supervisor.start();
    // Every other start re-evaluated the services; a spawn failure must not look like "still waiting" to it.
    expect(world.refused).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    const at = world.refused.map((attempt) => attempt.at - world.refused[0]!.at);
    expect(at).toEqual([0, 100, 300, 700, 1500]);
    expect(stateOf('gone')).toMatchObject({ state: 'failed', starts: 5, lastExit: { status: 127 } });
    expect(escalations).toEqual([['poweroff', 'gone', 'start limit hit: 5 starts within 1m']]);
    expect(world.spawned.map((process) => process.program)).toEqual(['/svc/a', '/svc/b', '/svc/c']);
    expect(run.logLines.join('')).toContain('gone could not be started (posix_spawn /missing/daemon: ENOENT); restarting in 100ms');
  });

  it('a spawn failure is no start for the started condition: the dependent waits, then fails when the start limit is hit', async () => {
    const { world, supervisor } = supervise({
      gone: service('/missing/daemon', { startLimit: { count: 2, interval: '60s' } }),
      user: service('/svc/user', { dependsOn: ['gone'] }),
    });
    supervisor.start();
    expect(stateOf('user')).toMatchObject({ state: 'waiting', waitingFor: 'gone to be started' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(stateOf('gone').state).toBe('failed');
    expect(stateOf('user').state).toBe('failed');
    expect(world.spawned).toHaveLength(0);
  });

  it('a spawn failure of a oneshot that is not restarted fails it with the reason', () => {
    const { supervisor, escalations } = supervise({ setup: service('/missing/setup', { type: 'oneshot', onFailed: 'emergency' }) });
    supervisor.start();
    expect(stateOf('setup')).toMatchObject({ state: 'failed', starts: 1, lastExit: { status: 127 } });
    expect(escalations).toEqual([['emergency', 'setup', 'could not be started (posix_spawn /missing/setup: ENOENT)']]);
  });
});

describe('dependency conditions', () => {
  it('starts a service after its dependency was started, ready, completed, or completed successfully', async () => {
    const { world, supervisor } = supervise({
      setup: service('/svc/setup', { type: 'oneshot' }),
      db: service('/svc/db', { dependsOn: { setup: 'completedSuccessfully' } }),
      web: service('/svc/web', { dependsOn: { db: 'ready' } }),
      cron: service('/svc/cron', { dependsOn: ['web'] }),
      report: service('/svc/report', { dependsOn: { setup: 'completed' } }),
    });
    world.behaviours.set('/svc/setup', { exitAfter: { ms: 500, code: 0 } });
    supervisor.start();
    expect(world.spawned.map((process) => process.program)).toEqual(['/svc/setup']);
    expect(stateOf('db')).toMatchObject({ state: 'waiting', waitingFor: 'setup to complete successfully' });
    await vi.advanceTimersByTimeAsync(499);
    expect(world.spawned).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    // db has no readiness probe: spawned is ready, so web and then cron follow at once.
    expect(world.spawned.map((process) => process.program)).toEqual(['/svc/setup', '/svc/db', '/svc/web', '/svc/cron', '/svc/report']);
    expect(stateOf('db').state).toBe('ready');
  });

  it('fails a dependent whose dependency can never reach its condition, and runs its onFailed', async () => {
    const { world, supervisor, escalations } = supervise({
      setup: service('/svc/setup', { type: 'oneshot' }),
      db: service('/svc/db', { dependsOn: { setup: 'completedSuccessfully' }, onFailed: 'reboot' }),
      web: service('/svc/web', { dependsOn: { db: 'started' } }),
      report: service('/svc/report', { dependsOn: { setup: 'completed' } }),
    });
    world.behaviours.set('/svc/setup', { exitAfter: { ms: 100, code: 2 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(200);
    expect(stateOf('db').state).toBe('failed');
    expect(stateOf('web').state).toBe('failed');
    // completed does not care about the status.
    expect(stateOf('report').state).toBe('ready');
    expect(world.spawned.map((process) => process.program)).toEqual(['/svc/setup', '/svc/report']);
    expect(escalations).toEqual([['reboot', 'db', 'dependency setup (failed, status 2) will never be completedSuccessfully']]);
    expect(run.logLines.join('')).toContain('web failed: dependency db (failed) will never be started');
  });

  it('marks a service whose user is unknown failed, naming it', () => {
    const { world, supervisor } = supervise({ app: service('/svc/app', { user: 'no-such-user-here' }) });
    supervisor.start();
    expect(world.spawned).toHaveLength(0);
    expect(stateOf('app').state).toBe('failed');
    expect(run.logLines.join('')).toContain('app failed: process app: user no-such-user-here is not in /etc/passwd');
  });

  it('starts a service with user and group through __exec-as with the resolved ids', () => {
    const { world, supervisor } = supervise({ app: service('/svc/app', { user: 65534, group: 65534, arguments: ['-v'] }) });
    supervisor.start();
    const argv = world.spawned[0]?.spec.argv ?? [];
    expect(argv.slice(argv.indexOf('__exec-as'))).toEqual(['__exec-as', '--uid', '65534', '--gid', '65534', '--groups', '65534', '--', '/svc/app', '-v']);
  });

  it('spawns in its own session with the merged environment, its cwd and argv', () => {
    const { world, supervisor } = supervise({ app: service('/svc/app', { arguments: ['-v', 3, true], environment: { MODE: 'x', PATH: '/opt/bin' }, workingDirectory: '/srv' }) });
    supervisor.start();
    expect(world.spawned[0]?.spec).toEqual({ path: '/svc/app', argv: ['/svc/app', '-v', '3', 'true'], env: { PATH: '/opt/bin', MODE: 'x' }, cwd: '/srv', setsid: true, stdio: { in: 'null', out: 'null', err: 'null' } });
  });
});

describe('services named like members of Object.prototype', () => {
  it('orders toString and constructor by their dependencies, and a dependency on an absent valueOf is unknown', async () => {
    const { world, supervisor } = supervise({
      constructor: service('/svc/b', { dependsOn: ['toString'] }),
      toString: service('/svc/a'),
      valueOf: service('/svc/c', { dependsOn: { hasOwnProperty: 'started' as const } }),
    });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(world.spawned.map((process) => process.program)).toEqual(['/svc/a', '/svc/b']);
    expect(stateOf('valueOf').state).toBe('failed');
    expect(run.logLines.join('')).toContain('valueOf failed: depends on unknown service hasOwnProperty');
    await supervisor.shutdown();
  });
});

describe('stopping', () => {
  it('sends stopSignal to the process group, and SIGKILL after stopTimeout only', async () => {
    const { world, supervisor } = supervise({ stubborn: service('/svc/stubborn', { stopSignal: 'INT', stopTimeout: '3s' }) });
    world.behaviours.set('/svc/stubborn', { dies: { on: [] } });
    supervisor.start();
    const pid = world.spawned[0]!.pid;
    const started = Date.now();
    let stopped = false;
    void supervisor.stopService('stubborn').then(() => (stopped = true));
    expect(stateOf('stubborn').state).toBe('stopping');
    await vi.advanceTimersByTimeAsync(2999);
    expect(world.kills).toEqual([{ pid: -pid, signal: 'SIGINT', at: started }]);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(world.kills.at(-1)).toEqual({ pid: -pid, signal: 'SIGKILL', at: started + 3000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(true);
    expect(stateOf('stubborn')).toMatchObject({ state: 'stopped', pid: null, lastExit: { signal: 'SIGKILL', status: 137 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(world.spawned).toHaveLength(1);
  });

  it('a process that outlives SIGKILL (uninterruptible sleep) holds a stop and the shutdown for a bounded time only', async () => {
    const { world, supervisor } = supervise({ app: service('/svc/app', { dependsOn: ['stuck'] }), stuck: service('/svc/stuck', { stopTimeout: '1s' }) });
    world.behaviours.set('/svc/stuck', { unkillable: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    let done = false;
    void supervisor.shutdown().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(1000 + UNKILLABLE_GRACE_MS - 1);
    expect(world.kills.filter((kill) => kill.signal === 'SIGKILL')).toHaveLength(1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('shutdown stops dependents first: each service only after everything depending on it ended', async () => {
    const { world, supervisor } = supervise({
      db: service('/svc/db'),
      api: service('/svc/api', { dependsOn: ['db'] }),
      web: service('/svc/web', { dependsOn: { api: 'ready' } }),
      batch: service('/svc/batch', { dependsOn: ['db'] }),
      lone: service('/svc/lone'),
    });
    for (const [program, ms] of [['/svc/db', 10], ['/svc/api', 200], ['/svc/web', 300], ['/svc/batch', 50], ['/svc/lone', 20]] as const) world.behaviours.set(program, { dies: { ms } });
    supervisor.start();
    const pidOf = (program: string): number => world.of(program)[0]!.pid;
    let done = false;
    void supervisor.shutdown().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(done).toBe(true);
    const termAt = (program: string): number => world.kills.find((kill) => kill.pid === -pidOf(program))!.at - world.spawned[0]!.at;
    // web, batch and lone have no dependents: at once. api after web (300), db after api (300+200) and batch.
    expect([termAt('/svc/web'), termAt('/svc/batch'), termAt('/svc/lone'), termAt('/svc/api'), termAt('/svc/db')]).toEqual([0, 0, 0, 300, 500]);
    expect(world.kills.every((kill) => kill.signal === 'SIGTERM')).toBe(true);
    expect(supervisor.status().every((status) => status.state === 'stopped')).toBe(true);
  });

  it('shutdown cancels a pending restart and nothing starts after it', async () => {
    const { world, supervisor } = supervise({ crash: service('/svc/crash', { backoff: { initial: '1s', max: '10s', factor: 2 } }), later: service('/svc/later', { dependsOn: { crash: 'completed' } }) });
    world.behaviours.set('/svc/crash', { exitAfter: { ms: 0, code: 1 } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(stateOf('crash').state).toBe('backoff');
    await supervisor.shutdown();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(world.spawned).toHaveLength(1);
    expect(supervisor.status().map((status) => status.state)).toEqual(['stopped', 'stopped']);
  });

  it('restartService stops then starts again, and startService brings back a failed service with a fresh start limit', async () => {
    const { world, supervisor } = supervise({ app: service('/svc/app', { startLimit: { count: 1, interval: '60s' } }) });
    supervisor.start();
    await supervisor.restartService('app');
    expect(world.spawned).toHaveLength(2);
    expect(stateOf('app')).toMatchObject({ state: 'ready', starts: 2, restarts: 1 });
    world.exit(world.spawned[1]!.pid, { code: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(stateOf('app').state).toBe('failed');
    supervisor.startService('app');
    expect(stateOf('app').state).toBe('ready');
    expect(() => supervisor.startService('nope')).toThrow('no service named "nope"; services: app');
  });
});

describe('the main service', () => {
  it('is not restarted: its end goes to onMainExit and mainExit', async () => {
    const { world, supervisor, mainExits } = supervise({ side: service('/svc/side'), app: service('/svc/app', { main: true }) });
    world.behaviours.set('/svc/app', { exitAfter: { ms: 100, signal: 'SIGTERM' } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(world.of('/svc/app')).toHaveLength(1);
    expect(mainExits).toEqual([{ code: null, signal: 'SIGTERM', status: 143, at: world.spawned[1]!.at + 100 }]);
    expect(supervisor.mainExit).toEqual(mainExits[0]);
    expect(stateOf('app').state).toBe('stopped');
  });

  it('stopped by shutdown, it does not call onMainExit but mainExit has its status', async () => {
    const { world, supervisor, mainExits } = supervise({ app: service('/svc/app', { main: true }) });
    world.behaviours.set('/svc/app', { dies: { on: ['SIGTERM'] } });
    supervisor.start();
    await supervisor.shutdown();
    expect(mainExits).toEqual([]);
    expect(supervisor.mainExit).toMatchObject({ signal: 'SIGTERM', status: 143 });
  });
});
