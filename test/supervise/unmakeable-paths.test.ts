// `bootstrap supervise` as PID 1 with a control socket and a service log file whose directories cannot exist (under /proc).
import { describe, expect, it } from 'vitest';
import { startSupervisor } from './run-supervisor';

describe('paths under /proc/nope', () => {
  it('names the path and errno of each, runs the services anyway, and exits with the main status', async () => {
    const config = `logLevel: info
postSwitch:
  handoff:
    mode: supervise
    shutdownTimeout: 2s
    processes:
      app:
        program: /bin/sh
        arguments: [-c, "echo lost; exit 7"]
        main: true
        stdout: {file: /proc/nope/app.log}
`;
    // Node's recursive mkdirSync spun forever at 100 % CPU on both paths; the supervisor never got to app.
    const supervisor = await startSupervisor(config, { socket: '/proc/nope/control.sock' });
    const status = await Promise.race([supervisor.exited, new Promise<string>((done) => setTimeout(() => done('still running after 15 s'), 15_000))]);
    if (typeof status === 'string') supervisor.signal('SIGKILL');
    expect(status, supervisor.output()).toBe(7);
    const output = supervisor.output();
    expect(output).toContain('no control socket: control socket /proc/nope/control.sock: cannot create its directory: mkdir(path="/proc/nope", mode="700"): ENOENT (No such file or directory)');
    expect(output).toContain('log file /proc/nope/app.log: mkdir(path="/proc/nope", mode="755"): ENOENT (No such file or directory)');
  });
});
