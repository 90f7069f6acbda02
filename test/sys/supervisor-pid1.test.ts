// The supervisor for real, as PID 1 of a fresh PID namespace: backoff and start limit, readiness order, stop order, output rotation, statuses.
import { describe, expect, it } from 'vitest';
import type { ServiceState, ServiceStatus, ExitInfo } from '../../src/supervisor/model';
import { describe as describeRun, fixtureResult, runFixture } from './run-fixture';

interface Event {
  name: string;
  state: ServiceState;
  starts: number;
  at: number;
}

function scenario<T>(name: string, ...args: string[]): T {
  const run = runFixture('supervisor-pid1', [name, ...args]);
  const { pid, result } = fixtureResult<{ pid: number; result: T }>(run);
  if (pid !== 1) throw new Error(`the fixture must be PID 1, it was ${pid}\n${describeRun(run)}`);
  return result;
}

/** Runs a scenario on the first call only, so the tests of one describe share one run. */
function once<T>(run: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => (cached ??= { value: run() }).value;
}

const find = (status: ServiceStatus[], name: string): ServiceStatus => {
  const found = status.find((service) => service.name === name);
  if (!found) throw new Error(`no service ${name} in ${JSON.stringify(status)}`);
  return found;
};
const at = (events: Event[], name: string, state: ServiceState): number => {
  const found = events.find((event) => event.name === name && event.state === state);
  if (!found) throw new Error(`no ${name} ${state} in ${JSON.stringify(events)}`);
  return found.at;
};

describe('a crash-looping service', () => {
  it('restarts after 200, 400, 800 ms, fails at its start limit (4 within 1m) and escalates with its onFailed', () => {
    const result = scenario<{ events: Event[]; escalations: string[][]; status: ServiceStatus[] }>('crashLoop');
    const backoffs = result.events.filter((event) => event.state === 'backoff');
    const starts = result.events.filter((event) => event.state === 'ready');
    expect(starts.map((event) => event.starts)).toEqual([1, 2, 3, 4]);
    const waits = backoffs.map((backoff, index) => (starts[index + 1]?.at ?? at(result.events, 'crash', 'failed')) - backoff.at);
    [200, 400, 800, 1600].forEach((expected, index) => {
      expect(waits[index]).toBeGreaterThanOrEqual(expected - 2);
      expect(waits[index]).toBeLessThan(expected + 150);
    });
    expect(result.escalations).toEqual([['reboot', 'crash', 'start limit hit: 4 starts within 1m']]);
    expect(find(result.status, 'crash')).toMatchObject({ state: 'failed', pid: null, starts: 4, restarts: 3, lastExit: { code: 3, signal: null, status: 3 } });
  });
});

describe('a dependency on readiness', () => {
  it('starts the dependent only once the tcp probe passed, after the port opened', () => {
    const result = scenario<{ whileWaiting: ServiceStatus[]; status: ServiceStatus[]; events: Event[]; listeningAt: number; consoleLines: { line: string; at: number }[] }>('readiness', String(20_000 + Math.floor(Math.random() * 20_000)));
    expect(find(result.whileWaiting, 'server')).toMatchObject({ state: 'running', starts: 1 });
    expect(find(result.whileWaiting, 'client')).toMatchObject({ state: 'waiting', starts: 0, waitingFor: 'server to be ready' });
    const serverReady = at(result.events, 'server', 'ready');
    const clientStarted = result.events.find((event) => event.name === 'client')!;
    // The server listens 1 s after it starts; the probe runs every 100 ms.
    expect(result.listeningAt).toBeGreaterThanOrEqual(1000);
    expect(serverReady).toBeGreaterThanOrEqual(result.listeningAt);
    expect(serverReady).toBeLessThan(result.listeningAt + 400);
    expect(clientStarted).toMatchObject({ state: 'ready', starts: 1 });
    expect(clientStarted.at).toBeGreaterThanOrEqual(serverReady);
    expect(result.consoleLines.map((line) => line.line)).toEqual(['server: listening\n', 'client: client up\n']);
  });
});

describe('shutdown', () => {
  const result = once(() => scenario<{ shutdownAt: number; doneAt: number; events: Event[]; order: string[]; status: ServiceStatus[]; running: number }>('shutdownOrder'));

  it('stops services in reverse dependency order, each after its dependents ended', () => {
    const { events, order, status } = result();
    expect(order).toEqual(['c', 'b', 'a']);
    expect(at(events, 'b', 'stopping')).toBeGreaterThanOrEqual(at(events, 'c', 'stopped'));
    expect(at(events, 'a', 'stopping')).toBeGreaterThanOrEqual(at(events, 'b', 'stopped'));
    for (const name of ['a', 'b', 'c']) expect(find(status, name)).toMatchObject({ state: 'stopped', lastExit: { code: 0, status: 0 } });
  });

  it('SIGKILLs a service that ignores SIGTERM after its stopTimeout (1.5 s), and not before', () => {
    const { events, status, shutdownAt, doneAt, running } = result();
    const stopping = at(events, 'stubborn', 'stopping');
    const stopped = at(events, 'stubborn', 'stopped');
    expect(stopping - shutdownAt).toBeLessThan(50);
    expect(stopped - stopping).toBeGreaterThanOrEqual(1500);
    expect(stopped - stopping).toBeLessThan(1800);
    expect(find(status, 'stubborn')).toMatchObject({ state: 'stopped', lastExit: { code: null, signal: 'SIGKILL', status: 137 } });
    expect(doneAt).toBeGreaterThanOrEqual(stopped);
    expect(running).toBe(0);
  });
});

describe('service output', () => {
  const rotation = once(() => scenario<{ files: Record<string, string>; logs: string[]; followed: number; consoleLines: string[]; kept: { count: number; first: string; last: string }; manyOnConsole: number }>('rotation'));

  it('rotates a log file at maxSize keeping maxFiles, loses no line, keeps the last lines and sends stderr to the console', () => {
    const result = rotation();
    expect(Object.keys(result.files)).toEqual(['writer.log', 'writer.log.1', 'writer.log.2']);
    for (const [name, text] of Object.entries(result.files)) {
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
      // A rotated file was full: one more 36-byte line would have taken it past 1 KiB.
      if (name !== 'writer.log') expect(Buffer.byteLength(text)).toBeGreaterThan(1024 - 36);
    }
    const lines = [result.files['writer.log.2'], result.files['writer.log.1'], result.files['writer.log']].join('').trimEnd().split('\n');
    const numbers = lines.map((line) => Number(/^line (\d+) abcdefghijklmnopqrstuvwxyz$/.exec(line)?.[1]));
    expect(numbers.at(-1)).toBe(299);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => 300 - numbers.length + index));
    expect(result.logs).toHaveLength(3);
    expect(result.logs).toContain('line 299 abcdefghijklmnopqrstuvwxyz');
    expect(result.logs).toContain('to-stderr');
    expect(result.followed).toBe(301);
    expect(result.consoleLines).toEqual(['writer: to-stderr\n']);
  });

  it('keeps the last 1,000 lines of a service in memory, and every line reached the console', () => {
    const result = rotation();
    expect(result.kept).toEqual({ count: 1000, first: '501', last: '1500' });
    expect(result.manyOnConsole).toBe(1500);
  });
});

describe('statuses', () => {
  interface StatusesResult {
    status: ServiceStatus[];
    mainExits: ExitInfo[];
    mainExit: ExitInfo | null;
    flakyStartsWhileAlive: number;
    removedAt: number;
    events: Event[];
    session: { pid: string; pgrp: string; sid: string };
    termedFds: string[];
    termedTargets: string[];
  }
  const result = once(() => scenario<StatusesResult>('statuses'));

  it('reports exit codes, and 128+signal for a service killed by a signal', () => {
    const { status } = result();
    expect(find(status, 'seven')).toMatchObject({ state: 'failed', starts: 1, lastExit: { code: 7, signal: null, status: 7 } });
    expect(find(status, 'killed')).toMatchObject({ state: 'failed', lastExit: { code: null, signal: 'SIGKILL', status: 137 } });
    expect(find(status, 'termed')).toMatchObject({ state: 'stopped', lastExit: { code: null, signal: 'SIGTERM', status: 143 } });
  });

  it('hands the main service\'s exit to onMainExit and does not restart it', () => {
    const { status, mainExits, mainExit } = result();
    expect(mainExits).toMatchObject([{ code: 42, signal: null, status: 42 }]);
    expect(mainExit).toEqual(mainExits[0]);
    expect(find(status, 'app')).toMatchObject({ main: true, state: 'stopped', starts: 1 });
  });

  it('gives a service exactly fds 0-2: /dev/null in, pipes out', () => {
    const { termedFds, termedTargets } = result();
    expect(termedFds).toEqual(['0', '1', '2']);
    expect(termedTargets).toEqual(['/dev/null', 'pipe:[N]', 'pipe:[N]']);
  });

  it('starts each service in its own session and process group', () => {
    const { session } = result();
    expect(session.pgrp).toBe(session.pid);
    expect(session.sid).toBe(session.pid);
  });

  it('kills and restarts a service whose liveness probe fails failureThreshold times in a row', () => {
    const { status, flakyStartsWhileAlive, removedAt, events } = result();
    expect(flakyStartsWhileAlive).toBe(1);
    expect(find(status, 'flaky').starts).toBeGreaterThanOrEqual(3);
    expect(find(status, 'flaky').lastExit).toMatchObject({ signal: 'SIGTERM', status: 143 });
    const firstKill = events.find((event) => event.state === 'backoff')!.at;
    expect(firstKill).toBeGreaterThan(removedAt);
    expect(firstKill - removedAt).toBeLessThan(700);
  });
});

describe('a console nobody reads', () => {
  it('drops lines instead of stalling restarts or shutdown', () => {
    const result = scenario<{ written: number; dropped: number; blinkStarts: number; shutdownMs: number; ticks: number; worstGap: number; running: number }>('stuckConsole');
    // The pipe took its 64 KiB, then every line was dropped.
    expect(result.written).toBeGreaterThan(0);
    expect(result.dropped).toBeGreaterThan(1000);
    // A 50 ms backoff over 1.5 s: restarts kept coming, the event loop kept turning, shutdown was quick.
    expect(result.blinkStarts).toBeGreaterThanOrEqual(10);
    expect(result.worstGap).toBeLessThan(500);
    expect(result.shutdownMs).toBeLessThan(1000);
    expect(result.running).toBe(0);
  });
});
