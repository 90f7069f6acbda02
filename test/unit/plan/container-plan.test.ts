// The plan of a container entry: the namespaces step first, virtual filesystems mounted anew where the namespaces
// make the inherited ones wrong, and switchRoot.mode in the switch step and in what `bootstrap plan` prints.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/generated/config-types';
import { validateConfigText } from '../../../src/config/validate-config';
import { pivotRefusal } from '../../../src/exec/handlers/enter-root';
import { buildPlan } from '../../../src/plan/build-plan';
import { formatPlan } from '../../../src/plan/format-plan';
import type { Step, StepOf } from '../../../src/plan/step';
import { parseMountInfo } from '../../../src/probe/mountinfo';

function config(text: string): Config {
  const result = validateConfigText(text);
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

const lcboot = (mode: string, namespaces = '[user, mount, uts, ipc, net, cgroup]'): string => `namespaces: ${namespaces}
idMap:
  users: "0 1000000 65536"
  groups: ["0 1000000", "1 1000001 1", {internal: 2, external: 1000002}, {internal: 3, external: 1000003, size: 65533}]
switchRoot:
  ${mode === 'absent' ? '' : `mode: ${mode}`}
  rootFileSystem: {type: overlay, lower: [/mnt/layers/1, /mnt/layers/0, /mnt/root], upper: /mnt/cache/upper, work: /mnt/cache/work}
postSwitch:
  hooks: ["hostname guest"]
  handoff: {mode: exec, program: /sbin/init}
`;

const only = <K extends Step['kind']>(steps: Step[], kind: K): StepOf<K> => {
  const found = steps.filter((step): step is StepOf<K> => step.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('the plan of a container entry', () => {
  it('creates the namespaces right after the console, with the ranges of every idMap form', () => {
    const steps = buildPlan(config(lcboot('pivot')));
    expect(steps.slice(0, 3).map((step) => step.kind)).toEqual(['console', 'namespaces', 'mountVirtual']);
    expect(only(steps, 'namespaces')).toMatchObject({
      source: '/namespaces',
      namespaces: ['user', 'mount', 'uts', 'ipc', 'net', 'cgroup'],
      uidMap: [{ inside: 0, outside: 1000000, count: 65536 }],
      gidMap: [
        { inside: 0, outside: 1000000, count: 1 },
        { inside: 1, outside: 1000001, count: 1 },
        { inside: 2, outside: 1000002, count: 1 },
        { inside: 3, outside: 1000003, count: 65533 },
      ],
    });
  });

  it('mounts sysfs anew in a new network namespace and proc anew in a new PID namespace, only with a mount namespace', () => {
    const fresh = (namespaces: string): Record<string, string | undefined> => {
      const idMap = namespaces.includes('user') ? 'idMap: {users: "0 1000000 65536", groups: "0 1000000 65536"}\n' : '';
      const steps = buildPlan(config(`namespaces: ${namespaces}\n${idMap}postSwitch:\n  handoff: {mode: exec, program: /sbin/init}\n`));
      return Object.fromEntries(steps.filter((step): step is StepOf<'mountVirtual'> => step.kind === 'mountVirtual').map((step) => [step.fsType + step.target, step.fresh]));
    };
    expect(fresh('[user, mount, net]')).toMatchObject({ 'proc/proc': undefined, 'sysfs/sys': 'the network namespace is new', 'devtmpfs/dev': undefined });
    expect(fresh('[mount, pid]')).toMatchObject({ 'proc/proc': 'the PID namespace is new', 'sysfs/sys': undefined });
    expect(fresh('[net, uts]')).toMatchObject({ 'sysfs/sys': undefined });
    expect(Object.values(fresh('[uts]')).every((reason) => reason === undefined)).toBe(true);
  });

  it.each([
    ['absent', 'move', '/sysroot', /move \/dev \/proc \/sys \/run into \/sysroot, free the initramfs, switch root to \/sysroot/],
    ['pivot', 'pivot', '/sysroot', /bind \/dev \/proc \/sys \/run into \/sysroot \(recursively\), pivot_root into \/sysroot and detach the old root \(mode pivot\)/],
    ['chroot', 'chroot', '/sysroot', /chroot into \/sysroot; the old root stays mounted \(mode chroot\)/],
    ['none', 'none', '/', /bind \/dev \/proc \/sys \/run into \/sysroot \(recursively\) and stay in this root \(mode none\)/],
  ])('switchRoot.mode %s: the step switches the %s way, checks the handoff under %s, and the plan says so', (mode, stepMode, checkedRoot, printed) => {
    const steps = buildPlan(config(lcboot(mode)));
    expect(only(steps, 'switchRoot')).toMatchObject({ mode: stepMode, newRoot: '/sysroot', carryMounts: ['/dev', '/proc', '/sys', '/run'] });
    expect(only(steps, 'checkHandoff')).toMatchObject({ root: checkedRoot, programs: ['/sbin/init'] });
    expect(formatPlan(steps)).toMatch(printed);
  });

  it('prints the namespaces, the maps and the fresh sysfs as `bootstrap plan` shows them', () => {
    const text = formatPlan(buildPlan(config(lcboot('pivot'))));
    expect(text).toContain(
      '2. create namespaces user mount uts ipc net cgroup with util-linux unshare(1) (uid map 0 1000000 65536; gid map 0 1000000 1, 1 1000001 1, 2 1000002 1, 3 1000003 65533) and run the rest of the boot in them as their root',
    );
    expect(text).toContain('mount sysfs on /sys, a new one even where one is mounted (the network namespace is new)');
    expect(text).toContain('mount overlay overlay on /sysroot (lowerdir=/mnt/layers/1:/mnt/layers/0:/mnt/root,upperdir=/mnt/cache/upper,workdir=/mnt/cache/work)');
  });

  it('without namespaces nothing changes: no namespaces step, no fresh mount', () => {
    const steps = buildPlan(config('postSwitch:\n  handoff: {mode: exec, program: /sbin/init}\n'));
    expect(steps.some((step) => step.kind === 'namespaces')).toBe(false);
    expect(steps.filter((step) => step.kind === 'mountVirtual' && step.fresh !== undefined)).toEqual([]);
  });
});

describe('pivotRefusal', () => {
  it('refuses the initramfs (rootfs) as /, naming what to use instead, and accepts any other root', () => {
    const initramfs = parseMountInfo('1 1 0:2 / / rw - rootfs rootfs rw\n22 1 0:21 / /proc rw - proc proc rw\n');
    expect(pivotRefusal(initramfs)).toMatch(/^switchRoot.mode pivot: \/ is the initramfs \(rootfs\), which pivot_root\(2\) cannot pivot away from \(EINVAL\); leave `mode` out .* or use mode: chroot$/);
    expect(pivotRefusal(parseMountInfo('48 47 0:40 / / rw - tmpfs lcboot-container rw\n'))).toBeUndefined();
    // A root mounted over rootfs (the usual machine) counts, not rootfs below it.
    expect(pivotRefusal(parseMountInfo('1 1 0:2 / / rw - rootfs rootfs rw\n27 1 254:0 / / rw - ext4 /dev/vda rw\n'))).toBeUndefined();
  });
});
