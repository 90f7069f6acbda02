// overlay-boot's START list as the supervisor runs it after `subhost import`: one `service NAME start` at a time in
// the listed order, a failing one does not stop the next, and nothing ends the supervisor once they all completed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Process, SuperviseHandoff } from '../../src/config/generated/config-types';
import { createLogger } from '../../src/log/log';
import { confToConfig } from '../../src/subhost/conf-to-config';
import { parseOverlayConf } from '../../src/subhost/overlay-conf';
import { createSupervisor } from '../../src/supervisor/supervisor';
import { fakeWorld } from './fake-world';

/** The supervise handoff `subhost import` makes of START, with output dropped (the fake world has no pipes). */
function startHandoff(start: string): SuperviseHandoff {
  const { conf } = parseOverlayConf(`BASE=.\nSTART=${start}\n`, { file: '/opt/subhost/mta/mta.conf', runCommand: () => ({ ok: false, reason: 'none' }) });
  const result = confToConfig(conf!);
  if (!result.ok || result.conversion.config.postSwitch.handoff.mode !== 'supervise') throw new Error('no supervise handoff');
  const { handoff } = result.conversion.config.postSwitch;
  const processes = Object.entries(handoff.processes).map(([name, process]): [string, Process] => [name, { ...process, stdout: 'null', stderr: 'null' }]);
  return { ...handoff, processes: Object.fromEntries(processes) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('START services under the supervisor', () => {
  it('start one at a time in the listed order, go on past a failed start, and leave the supervisor holding', async () => {
    const world = fakeWorld();
    const escalations: string[] = [];
    const mainExits: unknown[] = [];
    const supervisor = createSupervisor({
      handoff: startHandoff('rsyslog networking ssh'),
      env: {},
      sys: world.sys,
      children: world.children,
      log: createLogger({ write: () => true }, 'debug'),
      consoleSink: { write: () => true },
      onEscalate: (action, name) => escalations.push(`${action} ${name}`),
      onMainExit: (exit) => mainExits.push(exit),
    });
    supervisor.start();
    const argv = (): (readonly string[])[] => world.spawned.map((process) => process.spec.argv);
    expect(argv()).toEqual([['/usr/sbin/service', 'rsyslog', 'start']]);
    world.exit(world.spawned[0]!.pid, { code: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(argv()).toEqual([['/usr/sbin/service', 'rsyslog', 'start'], ['/usr/sbin/service', 'networking', 'start']]);
    // networking's init script fails: ssh starts all the same, as the next script of a SysV boot would.
    world.exit(world.spawned[1]!.pid, { code: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(argv().at(-1)).toEqual(['/usr/sbin/service', 'ssh', 'start']);
    world.exit(world.spawned[2]!.pid, { code: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(supervisor.status().map((status) => `${status.name} ${status.state}`)).toEqual(['rsyslog completed', 'networking failed', 'ssh completed']);
    // No main service, onFailed ignore: nothing asks for a shutdown, and nothing started again.
    expect([escalations, mainExits, supervisor.mainExit, world.spawned.length]).toEqual([[], [], null, 3]);
  });
});
