// buildPlan: step order, module dependencies from a real modules.dep, mount translation, handoff.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, PlanError } from '../../../src/plan/build-plan';
import { validateConfigText } from '../../../src/config/validate-config';
import type { Config } from '../../../src/config/generated/config-types';
import type { Step } from '../../../src/plan/step';
import { describeStep, formatPlan } from '../../../src/plan/format-plan';

const modulesDep = readFileSync(join(import.meta.dirname, '../../fixtures/modules/debian-6.1-modules.dep'), 'utf8');

function config(text: string): Config {
  const result = validateConfigText(text);
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

const kinds = (steps: Step[]): string[] => steps.map((step) => `${step.phase}:${step.kind}`);

describe('buildPlan', () => {
  const full = config(`
console: ttyS0
preSwitch:
  modules:
    directory: /lib/modules
    names: [virtiofs, virtio-pci]
    parameters: {virtio_pci: "force_legacy=1"}
  mounts:
    - {type: tmpfs, target: /scratch, size: 8m, noExec: true}
  sysctl: {kernel.printk: "4 4 1 7"}
  symlinks: [{path: /etc/mtab, target: /proc/self/mounts}]
  tmpfiles: [{path: /run/x, type: directory, mode: "0700"}]
  environment: {A: 1}
  hooks: ["echo pre"]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs, readOnly: true, atime: noAtime}
postSwitch:
  hooks: [[/bin/echo, post]]
  handoff:
    mode: exec
    program: /sbin/init
    arguments: [--verbose, 3]
    bootScript: {path: /etc/boot.sh, onFailure: Retry, retries: 2, retryDelay: 250ms}
`);

  it('orders phases: console, virtual filesystems, modules, mounts, sysctl, symlinks, tmpfiles, environment, hooks, root, handoff', () => {
    const steps = buildPlan(full, { readFile: (path) => (path === '/lib/modules/6.1.0-56-amd64/modules.dep' ? modulesDep : undefined), kernelRelease: '6.1.0-56-amd64' });
    expect(kinds(steps)).toEqual([
      'preSwitch:console',
      ...Array<string>(6).fill('preSwitch:mountVirtual'),
      'preSwitch:loopback',
      ...Array<string>(7).fill('preSwitch:loadModule'),
      'preSwitch:mount',
      'preSwitch:sysctl',
      'preSwitch:symlink',
      'preSwitch:tmpfile',
      'preSwitch:setEnv',
      'preSwitch:hook',
      'switchRoot:mount',
      'switchRoot:checkHandoff',
      'switchRoot:switchRoot',
      'postSwitch:hook',
      'postSwitch:bootScript',
      'postSwitch:handoff',
    ]);
  });

  it('takes the console as a name under /dev or as a path', () => {
    const handoff = 'postSwitch:\n  handoff: {mode: exec, program: /sbin/init}\n';
    expect(buildPlan(config(`console: ttyS0\n${handoff}`))[0]).toMatchObject({ kind: 'console', device: '/dev/ttyS0' });
    expect(buildPlan(config(`console: /dev/hvc0\n${handoff}`))[0]).toMatchObject({ kind: 'console', device: '/dev/hvc0' });
  });

  it('runs a shell handoff on its terminal, as a name under /dev or a path, and says so in the plan', () => {
    const shellOn = (terminal: string): Step[] => buildPlan(config(`console: ttyS0\npostSwitch:\n  handoff: {mode: shell, onExit: poweroff${terminal}}\n`));
    expect(shellOn(', terminal: hvc0').at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'shell', terminal: '/dev/hvc0' } });
    expect(shellOn(', terminal: /dev/ttyS1').at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'shell', terminal: '/dev/ttyS1' } });
    expect(shellOn('').at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'shell', terminal: undefined } });
    expect(formatPlan(shellOn(', terminal: hvc0'))).toContain('shell ["/bin/sh"] on /dev/hvc0, on exit: poweroff');
  });

  it('loads modules with their dependencies first, each once, from the kernel release directory', () => {
    const steps = buildPlan(full, { readFile: (path) => (path === '/lib/modules/6.1.0-56-amd64/modules.dep' ? modulesDep : undefined), kernelRelease: '6.1.0-56-amd64' });
    const loads = steps.filter((step) => step.kind === 'loadModule');
    const names = loads.map((step) => step.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [later, earlier] of [['virtiofs', 'fuse'], ['virtiofs', 'virtio'], ['virtio', 'virtio_ring'], ['virtio_pci', 'virtio_pci_modern_dev'], ['virtio_pci', 'virtio_pci_legacy_dev']] as const) {
      expect(names.indexOf(earlier), `${earlier} before ${later}`).toBeLessThan(names.indexOf(later));
    }
    expect(loads.find((step) => step.name === 'fuse')).toMatchObject({ path: '/lib/modules/6.1.0-56-amd64/kernel/fs/fuse/fuse.ko', parameters: '' });
    expect(loads.find((step) => step.name === 'virtio_pci')).toMatchObject({ parameters: 'force_legacy=1' });
  });

  it('says for each load the modules it waits for, so loads that need nothing of each other run at the same time', () => {
    const facts = { readFile: (path: string) => (path === '/lib/modules/6.1.0-56-amd64/modules.dep' ? modulesDep : undefined), kernelRelease: '6.1.0-56-amd64' };
    const waits = (steps: Step[]) => Object.fromEntries(steps.flatMap((step) => (step.kind === 'loadModule' ? [[step.name, step.after === undefined ? 'all before' : [...step.after].sort()]] : [])));
    expect(waits(buildPlan(full, facts))).toEqual({
      fuse: [],
      virtio_ring: [],
      virtio: ['virtio_ring'],
      virtiofs: ['fuse', 'virtio', 'virtio_ring'],
      virtio_pci_modern_dev: [],
      virtio_pci_legacy_dev: [],
      virtio_pci: ['virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_ring'],
    });
    // parallel: false: each load after every step before it, in the listed order.
    const inOrder = config(`preSwitch:\n  modules: {names: [virtiofs, virtio-pci], parallel: false}\npostSwitch:\n  handoff: {mode: shell}\n`);
    expect(Object.values(waits(buildPlan(inOrder, facts)))).toEqual(Array<string>(7).fill('all before'));
    const text = formatPlan(buildPlan(full, facts));
    expect(text).toMatch(/load module virtiofs from \/lib\/modules\/6\.1\.0-56-amd64\/kernel\/fs\/fuse\/virtiofs\.ko, once (fuse|virtio|virtio_ring), (fuse|virtio|virtio_ring), (fuse|virtio|virtio_ring) are loaded\n/);
    expect(text).toMatch(/load module virtio from \S+, once virtio_ring is loaded\n/);
    expect(text).toMatch(/load module fuse from \S+, right away\n/);
    expect(formatPlan(buildPlan(inOrder, facts))).toMatch(/load module fuse from \S+\.ko\n/);
  });

  it('skips built-in and loaded modules', () => {
    const steps = buildPlan(full, { readFile: () => modulesDep, builtin: new Set(['virtio_pci']), loaded: new Set(['fuse']) });
    const names = steps.filter((step) => step.kind === 'loadModule').map((step) => step.name);
    expect(names).not.toContain('virtio_pci');
    expect(names).not.toContain('fuse');
    expect(names).toContain('virtiofs');
  });

  it('warns, never silently drops, parameters given to a module the kernel has built in', () => {
    const steps = buildPlan(full, { readFile: () => modulesDep, builtin: new Set(['virtio_pci', 'fuse']) });
    expect(steps.filter((step) => step.kind === 'builtinModule')).toEqual([
      { kind: 'builtinModule', phase: 'preSwitch', source: '/preSwitch/modules/parameters/virtio_pci', policy: { onFailure: 'Warn', retries: 0, retryDelayMs: 0 }, name: 'virtio_pci', parameters: 'force_legacy=1' },
    ]);
    expect(formatPlan(steps)).toContain('parameters force_legacy=1 of built-in module virtio_pci: a warning, as only the kernel command line sets them');
    // A dependency on one kernel (fuse of virtiofs on 6.1) that another has built in (6.12) is never reached by the load order.
    const dependency = config('preSwitch:\n  modules: {names: [virtiofs], parameters: {fuse: max_user_bgreq=77, 9p: debug=1}}\npostSwitch: {handoff: {mode: shell}}\n');
    const readDep = (path: string): string | undefined => (path.endsWith('/modules.dep') ? modulesDep : undefined);
    const builtIn = buildPlan(dependency, { readFile: readDep, builtin: new Set(['virtiofs', 'fuse']) });
    expect(builtIn.filter((step) => step.kind === 'builtinModule' || step.kind === 'loadModule').map((step) => [step.kind, step.name])).toEqual([['builtinModule', 'fuse']]);
    const asModules = buildPlan(dependency, { readFile: readDep });
    expect(asModules.filter((step) => step.kind === 'builtinModule')).toEqual([]);
    expect(asModules.find((step) => step.kind === 'loadModule' && step.name === 'fuse')).toMatchObject({ parameters: 'max_user_bgreq=77' });
  });

  it('fails with the pointer when a module is unknown, or modules.dep is required and missing', () => {
    const unknown = config('preSwitch:\n  modules: {names: [virtiofz]}\npostSwitch: {handoff: {mode: shell}}\n');
    expect(() => buildPlan(unknown, { readFile: () => modulesDep })).toThrow(PlanError);
    expect(() => buildPlan(unknown, { readFile: () => modulesDep })).toThrow(/virtiofz.*did you mean virtiofs/);
    expect(() => buildPlan(unknown, { requireModulesDep: true })).toThrow(/cannot read modules.dep/);
  });

  it('translates mounts and the root into mount(2) calls with flags and waits', () => {
    const steps = buildPlan(full);
    expect(steps.find((step) => step.kind === 'mount' && step.target === '/scratch')).toMatchObject({ fsType: 'tmpfs', device: 'tmpfs', flags: ['MS_NOEXEC'], options: 'size=8m', wait: undefined });
    expect(steps.find((step) => step.kind === 'mount' && step.phase === 'switchRoot')).toMatchObject({
      fsType: 'virtiofs',
      device: 'rootfs',
      target: '/sysroot',
      flags: ['MS_RDONLY', 'MS_NOATIME'],
      wait: { kind: 'tag', tag: 'rootfs', timeoutMs: 10_000 },
    });
    expect(steps.find((step) => step.kind === 'checkHandoff')).toMatchObject({ root: '/sysroot', programs: ['/etc/boot.sh', '/sbin/init'] });
  });

  it('puts a volatile root under a tmpfs overlay and a subdirectory root behind a bind mount', () => {
    const volatile = buildPlan(config('switchRoot:\n  rootFileSystem: {type: 9p, tag: r, overlay: true, readOnly: true}\npostSwitch: {handoff: {mode: shell}}\n'));
    const mounts = volatile.filter((step) => step.kind === 'mount');
    expect(mounts.map((step) => [step.fsType, step.target])).toEqual([
      ['9p', '/run/bootstrap/root'],
      ['tmpfs', '/run/bootstrap/overlay'],
      ['overlay', '/sysroot'],
    ]);
    expect(mounts[0]).toMatchObject({ options: 'trans=virtio,version=9p2000.L', flags: ['MS_RDONLY'] });
    expect(mounts[2]).toMatchObject({ flags: [], options: 'lowerdir=/run/bootstrap/root,upperdir=/run/bootstrap/overlay/upper,workdir=/run/bootstrap/overlay/work' });
    const sub = buildPlan(config('switchRoot:\n  rootFileSystem: {type: device, device: LABEL=root, target: /guest}\npostSwitch: {handoff: {mode: shell}}\n'));
    expect(sub.filter((step) => step.kind === 'mount').map((step) => [step.fsType, step.device, step.target])).toEqual([
      ['auto', 'LABEL=root', '/run/bootstrap/root'],
      ['none', '/run/bootstrap/root/guest', '/sysroot'],
    ]);
  });

  it('an idmapped bind carries its ranges, in each of the three forms, into the step and the plan text', () => {
    const steps = buildPlan(
      config(`preSwitch:
  mounts:
    - type: bind
      source: /mnt/root
      target: /mnt/mapped
      readOnly: true
      idMap:
        users: "0 1000000 65536"
        groups: ["0 1000000", {internal: 1, external: 2000000, size: 10}]
    - {type: bind, source: /a, target: /b}
postSwitch: {handoff: {mode: shell}}
`),
    );
    const [mapped, plain] = steps.filter((step) => step.kind === 'mount');
    expect(mapped).toMatchObject({
      fsType: 'none',
      device: '/mnt/root',
      flags: ['MS_BIND', 'MS_RDONLY'],
      idMap: { users: [{ inside: 0, outside: 1000000, count: 65536 }], groups: [{ inside: 0, outside: 1000000, count: 1 }, { inside: 1, outside: 2000000, count: 10 }] },
    });
    expect(plain).toMatchObject({ device: '/a', idMap: undefined });
    const text = formatPlan(steps);
    expect(text).toContain('mount none /mnt/root on /mnt/mapped [MS_BIND MS_RDONLY] idmapped (users 0 1000000 65536; groups 0 1000000 1, 1 2000000 10)');
    expect(text).toMatch(/mount none \/a on \/b \[MS_BIND\]\n/);
  });

  it('the handoff step says whether PID 1 takes /dev/initctl requests (false by default)', () => {
    const taking = buildPlan(config('postSwitch:\n  initctl: true\n  handoff: {mode: none}\n'));
    expect(taking.at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'none' }, initctl: true });
    expect(formatPlan(taking)).toContain('none: PID 1 reaps and holds until it is stopped; take SysV init requests on /dev/initctl (runlevel 0 powers off, 6 reboots)');
    const not = buildPlan(config('postSwitch: {handoff: {mode: shell}}\n'));
    expect(not.at(-1)).toMatchObject({ initctl: false });
    expect(formatPlan(not)).not.toContain('initctl');
  });

  it('turns hooks and the handoff into argv, with their failure policies', () => {
    const steps = buildPlan(full);
    expect(steps.filter((step) => step.kind === 'hook').map((step) => step.argv)).toEqual([['/bin/sh', '-c', 'echo pre'], ['/bin/echo', 'post']]);
    expect(steps.find((step) => step.kind === 'bootScript')).toMatchObject({ argv: ['/etc/boot.sh'], policy: { onFailure: 'Retry', retries: 2, retryDelayMs: 250 } });
    expect(steps.at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'exec', argv: ['/sbin/init', '--verbose', '3'] } });
    expect(steps.find((step) => step.kind === 'setEnv')).toMatchObject({ variables: { A: '1' } });
    expect(steps.find((step) => step.kind === 'tmpfile')).toMatchObject({ mode: 0o700, type: 'directory' });
  });

  it('a volatile root loads overlayfs too, unless listed, built in or unknown to modules.dep', () => {
    const volatile = config('preSwitch:\n  modules: {names: [virtiofs]}\nswitchRoot:\n  rootFileSystem: {type: virtiofs, tag: r, overlay: true}\npostSwitch: {handoff: {mode: shell}}\n');
    const loads = (facts: Parameters<typeof buildPlan>[1]) => buildPlan(volatile, facts).filter((step) => step.kind === 'loadModule');
    const planned = loads({ readFile: () => modulesDep });
    expect(planned.at(-1)).toMatchObject({ name: 'overlay', policy: { onFailure: 'Warn' } });
    expect(loads({ readFile: () => modulesDep, builtin: new Set(['overlay']) }).map((step) => step.name)).not.toContain('overlay');
    expect(loads({ readFile: () => modulesDep.replace(/^kernel\/fs\/overlayfs.*\n/m, '') }).map((step) => step.name)).not.toContain('overlay');
  });

  it('frees the initramfs at the switch before an exec, and after the handoff started when bootstrap stays PID 1', () => {
    const root = 'switchRoot:\n  rootFileSystem: {type: virtiofs, tag: r}\n';
    const switchOf = (handoff: string): Step | undefined => buildPlan(config(`${root}postSwitch: {handoff: ${handoff}}\n`)).find((step) => step.kind === 'switchRoot');
    const exec = switchOf('{mode: exec, program: /sbin/init}');
    expect(exec).toMatchObject({ mode: 'move', freeInitramfs: 'at-switch' });
    expect(describeStep(exec!)).toBe('move /dev /proc /sys /run into /sysroot, free the initramfs, switch root to /sysroot');
    for (const handoff of ['{mode: shell}', '{mode: none}', '{mode: supervise, processes: {a: {program: /bin/a}}}']) {
      const staying = switchOf(handoff);
      expect(staying, handoff).toMatchObject({ mode: 'move', freeInitramfs: 'after-handoff' });
      expect(describeStep(staying!)).toBe('move /dev /proc /sys /run into /sysroot, switch root to /sysroot; the initramfs is freed once the handoff runs');
    }
  });

  it('without switchRoot stays in the initramfs', () => {
    const steps = buildPlan(config('postSwitch: {handoff: {mode: supervise, processes: {a: {program: /bin/a}}}}\n'));
    expect(steps.some((step) => step.phase === 'switchRoot')).toBe(false);
    expect(steps.at(-1)).toMatchObject({ handoff: { mode: 'supervise', processes: { a: { argv: ['/bin/a'] } } } });
  });
});

describe('sysctl values', () => {
  it('are written as sysctl(8) and the kernel take them: booleans as 1 and 0, numbers in decimal, strings as written', () => {
    const steps = buildPlan(config('preSwitch:\n  sysctl: {net.ipv4.ip_forward: true, kernel.sysrq: false, vm.swappiness: 10, kernel.printk: "4\t4 1 7"}\npostSwitch: {handoff: {mode: shell}}\n'));
    expect(steps.filter((step) => step.kind === 'sysctl').map((step) => [step.key, step.value])).toEqual([
      ['net.ipv4.ip_forward', '1'],
      ['kernel.sysrq', '0'],
      ['vm.swappiness', '10'],
      ['kernel.printk', '4\t4 1 7'],
    ]);
  });
});

describe('postSwitch modules', () => {
  // The initramfs has only what the early boot needs; the real root has the whole tree.
  const initramfsDep = 'kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio.ko:\n';
  const text = (switchRoot: string) => `${switchRoot}postSwitch:\n  modules: {names: [e1000e, virtio_pci], parameters: {e1000e: "InterruptThrottleRate=1"}}\n  handoff: {mode: shell}\n`;
  const facts = { readFile: (path: string) => (path === '/lib/modules/6.1.0-56-amd64/modules.dep' ? initramfsDep : undefined), kernelRelease: '6.1.0-56-amd64', requireModulesDep: true };

  it("after a switch are looked up in the new root's module tree when they run, not in the initramfs's", () => {
    const steps = buildPlan(config(text('switchRoot: {rootFileSystem: {type: virtiofs, tag: r}}\n')), facts);
    const loads = steps.filter((step) => step.kind === 'loadModule' && step.phase === 'postSwitch');
    const lookup = { directory: '/lib/modules', depFilePath: undefined, parameters: { e1000e: 'InterruptThrottleRate=1' }, parallel: true };
    expect(loads).toEqual([
      expect.objectContaining({ name: 'e1000e', path: undefined, parameters: 'InterruptThrottleRate=1', lookup: { ...lookup, request: 'e1000e' } }),
      expect.objectContaining({ name: 'virtio_pci', path: undefined, parameters: '', lookup: { ...lookup, request: 'virtio_pci' } }),
    ]);
    expect(formatPlan(steps)).toMatch(/load module e1000e and its dependencies, found under \/lib\/modules of the root it runs in, with InterruptThrottleRate=1\n/);
    expect(formatPlan(steps)).toMatch(/load module virtio_pci and its dependencies, found under \/lib\/modules of the root it runs in\n/);
  });

  it('without a switch are resolved when planned: the root does not change', () => {
    const steps = buildPlan(config(text('').replace('e1000e, ', '')), facts);
    expect(steps.filter((step) => step.kind === 'loadModule').map((step) => step.path)).toEqual(['/lib/modules/6.1.0-56-amd64/kernel/drivers/virtio/virtio.ko', '/lib/modules/6.1.0-56-amd64/kernel/drivers/virtio/virtio_pci.ko']);
  });
});
