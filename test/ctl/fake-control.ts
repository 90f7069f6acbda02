// A SupervisorControl with two services and scripted behaviour, recording every call the control socket makes.
import { UnknownServiceError, type ServiceStatus, type SupervisorControl } from '../../src/supervisor/model';

/** The fake and what was asked of it. */
export interface FakeControl extends SupervisorControl {
  calls: string[];
  /** Sends a new log line of `name` to its followers. */
  emit(name: string, line: string): void;
  /** How many followers `name` has now. */
  followers(name: string): number;
}

const services: ServiceStatus[] = [
  { name: 'db', type: 'longrun', main: false, state: 'ready', pid: 101, starts: 1, restarts: 0, lastExit: null, since: 1_000, waitingFor: null },
  {
    name: 'web',
    type: 'longrun',
    main: true,
    state: 'backoff',
    pid: null,
    starts: 3,
    restarts: 2,
    lastExit: { code: null, signal: 'SIGKILL', status: 137, at: 2_000 },
    since: 2_000,
    waitingFor: null,
  },
];

/** A fake supervisor: `db` and `web`; `stop` of `web` fails as a real stop could; unknown names throw UnknownServiceError. */
export function fakeControl(): FakeControl {
  const calls: string[] = [];
  const logs = new Map<string, string[]>([
    ['db', ['db 1', 'db 2', 'db 3']],
    ['web', []],
  ]);
  const listeners = new Map<string, Set<(line: string) => void>>();
  const known = (name: string): void => {
    if (!logs.has(name)) throw new UnknownServiceError(name, [...logs.keys()]);
  };
  return {
    calls,
    status: () => {
      calls.push('status');
      return services;
    },
    startService: (name) => {
      calls.push(`start ${name}`);
      known(name);
    },
    stopService: async (name) => {
      calls.push(`stop ${name}`);
      known(name);
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (name === 'web') throw new Error('web did not stop: still running after SIGKILL');
    },
    restartService: async (name) => {
      calls.push(`restart ${name}`);
      known(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    logs: (name, lines) => {
      calls.push(`logs ${name} ${lines}`);
      known(name);
      return lines === 0 ? [] : (logs.get(name) ?? []).slice(-lines);
    },
    followLogs: (name, listener) => {
      calls.push(`follow ${name}`);
      known(name);
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener);
      return () => {
        calls.push(`unfollow ${name}`);
        set.delete(listener);
      };
    },
    powerOff: (action) => {
      calls.push(action);
    },
    emit: (name, line) => {
      for (const listener of listeners.get(name) ?? []) listener(line);
    },
    followers: (name) => listeners.get(name)?.size ?? 0,
  };
}
