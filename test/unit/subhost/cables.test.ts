// overlay-boot's cables as interfaces (pure), what the host must have for them, and their making and undoing on
// a fake kernel: the order of calls, what is recorded, ifup's failure a warning.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/log';
import { SysError, type Sys } from '../../../src/sys/index';
import { cableProblems, planCables, type CablePlan } from '../../../src/subhost/cable-plan';
import { setUpCables } from '../../../src/subhost/cables';
import { undoChanges } from '../../../src/subhost/host-setup';
import { resolveSubhost } from '../../../src/subhost/subhost-spec';
import type { HostChange } from '../../../src/subhost/subhost-state';
import { validateConfigText } from '../../../src/config/validate-config';

describe('planCables', () => {
  it('cable i is NAMEi on the host and ethi inside; a VLAN goes on the nearest veth cable before it and names nothing inside', () => {
    expect(planCables('mta', [{}, { bridge: 'br0', mac: '02:AB:00:00:00:01' }, { vlan: 302 }, { vlan: 7 }, {}])).toEqual([
      { kind: 'veth', cable: 0, host: 'mta0', inside: 'eth0', bridge: undefined, mac: undefined },
      { kind: 'veth', cable: 1, host: 'mta1', inside: 'eth1', bridge: 'br0', mac: '02:ab:00:00:00:01' },
      { kind: 'vlan', cable: 2, name: 'mta1.302', parent: 'mta1', id: 302 },
      { kind: 'vlan', cable: 3, name: 'mta1.7', parent: 'mta1', id: 7 },
      // The cable's position names it, VLAN cables counted: overlay-boot numbers cables, not veth pairs.
      { kind: 'veth', cable: 4, host: 'mta4', inside: 'eth4', bridge: undefined, mac: undefined },
    ]);
    expect(() => planCables('x', [{ vlan: 3 }])).toThrow(/needs a cable before it/);
  });

  it('are part of the subhost spec', () => {
    const result = validateConfigText('subhost: {cables: [{}, {vlan: 5}]}\npostSwitch:\n  handoff: {mode: none}\n');
    expect(resolveSubhost(result.config!, '/opt/subhost/web/web.yaml').cables.map((plan) => (plan.kind === 'veth' ? plan.host : plan.name))).toEqual(['web0', 'web0.5']);
  });
});

describe('cableProblems', () => {
  const links = [{ name: 'lo', kind: undefined }, { name: 'br0', kind: 'bridge' }, { name: 'eth0', kind: undefined }, { name: 'web1', kind: 'veth' }, { name: 'v0', kind: 'veth' }];

  it('none when the names are free and the bridges are bridges', () => {
    expect(cableProblems(planCables('web', [{ bridge: 'br0' }, { vlan: 3 }]), links)).toEqual([]);
  });

  it('a missing bridge, a device that is no bridge, a name taken, a name longer than the kernel takes', () => {
    expect(cableProblems(planCables('web', [{ bridge: 'br9' }, { bridge: 'eth0' }, { bridge: 'v0' }]), links)).toEqual([
      'cables[0]: bridge br9 does not exist on the host; create it first (the cable only attaches to it)',
      'cables[1]: an interface web1 exists on the host already (left by an earlier start? ip link delete web1)',
      'cables[1]: eth0 is not a bridge (it is a device without a kind, e.g. a physical one)',
      'cables[2]: v0 is not a bridge (it is a veth)',
    ]);
    expect(cableProblems(planCables('abcdefghijkl', [{}, { vlan: 4000 }]), links)).toEqual([
      "cables[1]: the host interface abcdefghijkl0.4000 would be 18 bytes long, more than the kernel's 15; give the subhost a shorter name",
    ]);
  });
});

/** A kernel that records what it is asked, failing where `fail` says. */
function fakeKernel(fail: (call: string, name: string) => SysError | undefined = () => undefined) {
  const calls: string[] = [];
  const sys = {
    addLink: (link) => {
      calls.push(`add ${link.kind} ${link.name}${link.kind === 'veth' ? ` peer ${link.peer.name}${link.peer.mac ? ` ${link.peer.mac}` : ''} in ${JSON.stringify(link.peer.netns)}` : ''}${link.kind === 'vlan' ? ` on ${link.parent} id ${link.id}` : ''}`);
      const error = fail('add', link.name);
      if (error) throw error;
    },
    changeLink: (change) => void calls.push(`change ${change.name}${change.master ? ` master ${change.master}` : ''}${change.up ? ' up' : ''}`),
    deleteLink: (name) => {
      calls.push(`delete ${name}`);
      const error = fail('delete', name);
      if (error) throw error;
    },
    umount: (spec) => void calls.push(`umount ${spec.target}`),
  } satisfies Pick<Sys, 'addLink' | 'changeLink' | 'deleteLink' | 'umount'>;
  return { sys, calls };
}

function logLines(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger({ write: (text) => (lines.push(text.trim()), true) }, 'info', () => 0), lines };
}

describe('setUpCables', () => {
  const plans: CablePlan[] = planCables('mta', [{}, { bridge: 'br0', mac: '02:00:00:00:00:01' }, { vlan: 302 }]);

  it('a veth pair per cable, its subhost end made in the namespace; bridged or up for ifup; VLANs on the prior host end; each recorded', () => {
    const { sys, calls } = fakeKernel();
    const { log } = logLines();
    const changes: HostChange[] = [];
    const ifups: string[] = [];
    setUpCables(plans, { pid: 4242 }, { sys, log, record: (change) => changes.push(change), ifup: (name) => (ifups.push(name), undefined) });
    expect(calls).toEqual([
      'add veth mta0 peer eth0 in {"pid":4242}',
      'change mta0 up',
      'add veth mta1 peer eth1 02:00:00:00:00:01 in {"pid":4242}',
      'change mta1 master br0 up',
      'add vlan mta1.302 on mta1 id 302',
      'change mta1.302 up',
    ]);
    // "When the bridge interface name is omitted (empty) then the host end interface attracts an ifup $IF attempt instead."
    expect(ifups).toEqual(['mta0', 'mta1.302']);
    expect(changes).toEqual([
      { kind: 'link', name: 'mta0' },
      { kind: 'ifup', name: 'mta0' },
      { kind: 'link', name: 'mta1' },
      { kind: 'link', name: 'mta1.302' },
      { kind: 'ifup', name: 'mta1.302' },
    ]);
  });

  it('a failing ifup is a warning and is not recorded; no ifup on the host is said so', () => {
    const { sys } = fakeKernel();
    const { log, lines } = logLines();
    const changes: HostChange[] = [];
    setUpCables(plans.slice(0, 1), { pid: 4242 }, { sys, log, record: (change) => changes.push(change), ifup: () => 'ifup mta0 exited with status 1' });
    expect(changes).toEqual([{ kind: 'link', name: 'mta0' }]);
    expect(lines.some((line) => line.includes('warn: ifup mta0 exited with status 1; mta0 is up without the host\'s configuration of it'))).toBe(true);
    const quiet = logLines();
    setUpCables(plans.slice(0, 1), { pid: 4242 }, { sys, log: quiet.log, record: () => undefined, ifup: undefined });
    expect(quiet.lines.some((line) => line.includes('mta0 is up; the host has no ifup to configure it'))).toBe(true);
  });

  it('stops at the first failure, with what was made before it recorded', () => {
    const { sys } = fakeKernel((call, name) => (call === 'add' && name === 'mta1.302' ? new SysError({ syscall: 'RTM_NEWLINK', errno: 95, args: { name } }) : undefined));
    const changes: HostChange[] = [];
    expect(() => setUpCables(plans, { pid: 4242 }, { sys, log: logLines().log, record: (change) => changes.push(change), ifup: undefined })).toThrow(/EOPNOTSUPP/);
    expect(changes).toEqual([{ kind: 'link', name: 'mta0' }, { kind: 'link', name: 'mta1' }]);
  });
});

describe('undoing cables', () => {
  const spec = resolveSubhost(validateConfigText('subhost: {base: /nonexistent/u}\npostSwitch:\n  handoff: {mode: none}\n').config!, '/nonexistent/u/u.yaml');

  it('newest first: ifdown before its interface goes; a host end already gone with its namespace is done', () => {
    const { sys, calls } = fakeKernel((call, name) => (call === 'delete' && name === 'u0' ? new SysError({ syscall: 'RTM_DELLINK', errno: 19, args: { name } }) : undefined));
    const ifdowns: string[] = [];
    const changes: HostChange[] = [{ kind: 'link', name: 'u0' }, { kind: 'ifup', name: 'u0' }, { kind: 'link', name: 'u0.5' }, { kind: 'ifup', name: 'u0.5' }];
    const failures = undoChanges(changes, spec, { sys, log: logLines().log, ifdown: (name) => void ifdowns.push(name) });
    expect(failures).toEqual([]);
    expect(calls).toEqual(['delete u0.5', 'delete u0']);
    expect(ifdowns).toEqual(['u0.5', 'u0']);
  });

  it('any other refusal is a failure (the state is kept); a failing or missing ifdown only a warning', () => {
    const { sys } = fakeKernel((call) => (call === 'delete' ? new SysError({ syscall: 'RTM_DELLINK', errno: 1, args: { name: 'u0' } }) : undefined));
    const { log, lines } = logLines();
    const failures = undoChanges([{ kind: 'link', name: 'u0' }, { kind: 'ifup', name: 'u0' }], spec, { sys, log, ifdown: undefined });
    expect(failures).toEqual(['remove the interface u0: RTM_DELLINK(name="u0"): EPERM (Operation not permitted)']);
    expect(lines.some((line) => line.includes('warn: the host has no ifdown to deconfigure u0; removing u0 all the same'))).toBe(true);
  });
});
