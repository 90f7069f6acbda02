// PID 1 that only waits keeps waiting: a `none` handoff, and a supervisor whose oneshots all completed and that has
// no main service (overlay-boot's START list as bootstrap runs it), hold until a signal ends them. Both exited with
// status 0 as soon as nothing ran, because nothing kept Node's event loop alive.
import { describe, expect, it } from 'vitest';
import { startPid1Program, type RunningSupervisor } from '../supervise/run-supervisor';

const HOLD_MS = 2500;

/** The exit status if the program ended within `ms`, else 'running'. */
async function statusWithin(program: RunningSupervisor, ms: number): Promise<number | 'running'> {
  return Promise.race([program.exited, new Promise<'running'>((done) => setTimeout(() => done('running'), ms))]);
}

describe('PID 1 holds when nothing is left to run', () => {
  it('supervise: two oneshots in order, no main service, no control socket: holds after both completed, ends on SIGTERM', async () => {
    const config = `postSwitch:
  handoff:
    mode: supervise
    processes:
      first: {program: /bin/sh, arguments: [-c, "echo first ran"], type: oneshot}
      second: {program: /bin/sh, arguments: [-c, "echo second ran"], type: oneshot, dependsOn: {first: completed}}
`;
    // A socket that cannot be made: the listening socket would otherwise hold the event loop and hide the bug.
    const supervisor = await startPid1Program(config, (file) => ['supervise', '--config', file, '--socket', '/proc/nope/control.sock']);
    await supervisor.waitFor(/second completed/);
    expect(await statusWithin(supervisor, HOLD_MS), supervisor.output()).toBe('running');
    supervisor.signal('SIGTERM');
    // No main service: the status is 0 after an orderly shutdown.
    expect(await statusWithin(supervisor, 10_000), supervisor.output()).toBe(0);
    expect(supervisor.output()).toMatch(/shutting down \(poweroff\): received SIGTERM/);
  });

  it('boot with handoff mode none: holds after the boot, ends on SIGTERM', async () => {
    const boot = await startPid1Program('postSwitch:\n  handoff: {mode: none}\n', (file) => ['boot', '--config', file, '--cmdline', '']);
    await boot.waitFor(/no handoff program: PID 1 reaps and holds/);
    expect(await statusWithin(boot, HOLD_MS), boot.output()).toBe('running');
    boot.signal('SIGTERM');
    expect(await statusWithin(boot, 10_000), boot.output()).toBe(0);
    expect(boot.output()).toMatch(/shutting down \(poweroff\): received SIGTERM/);
  });
});
