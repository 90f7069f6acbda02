// lcboot's typical launch with `bootstrap boot` as the container's entry point, for real: a user namespace whose root
// is host uid 1000000, mount, UTS, IPC, network and cgroup namespaces, an overlay of the layers on the next root as /,
// postSwitch hooks, and an exec handoff to the next root's /sbin/init; switchRoot.mode pivot, chroot and none; and
// the refusals, which end the container with status 1 instead of hanging.
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHIFT, startContainer as start, type ContainerOptions, type RunningContainer } from './container';

const started: RunningContainer[] = [];
const startContainer = async (options: ContainerOptions): Promise<RunningContainer> => {
  const container = await start(options);
  started.push(container);
  return container;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((container) => container.remove()));
});

const lcbootIdMap = `idMap:
  users: "0 1000000 65536"
  groups:
    - 0 1000000
    - 1 1000001 1
    - {internal: 2, external: 1000002}
    - {internal: 3, external: 1000003, size: 65533}
`;

const config = (options: { mode: string; namespaces?: string; lower?: string; program?: string; arguments?: string }): string => `logLevel: debug
emergency: {action: poweroff}
namespaces: ${options.namespaces ?? '[user, mount, uts, ipc, net, cgroup]'}
${lcbootIdMap}switchRoot:
  mode: ${options.mode}
  rootFileSystem:
    type: overlay
    lower: ${options.lower ?? '[/mnt/layers/1, /mnt/layers/0, /mnt/root]'}
    upper: /mnt/cache/upper
    work: /mnt/cache/work
postSwitch:
  hooks:
    - hostname lcboot-guest
    - "echo hook: uid $(id -u) in $(pwd)"
  handoff: {mode: exec, program: ${options.program ?? '/sbin/init'}${options.arguments ? `, arguments: ${options.arguments}` : ''}}
`;

// The next root's init: what the brief asks it to print, then it holds until SIGTERM (exit 7) so the test can look
// into its mount namespace. $1 is where the new root is seen from (/sysroot with mode none).
const init = `#!/bin/sh
R=\${1:-}
B=$R/bin/busybox
# The mount after " - " in a mountinfo line: type, source, options.
mounted() { $B awk -v at="$1" '$5 == at { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1), $(i + 2), $(i + 3); exit } }' /proc/self/mountinfo; }
echo "init: pid=$$ id=$($B id -u):$($B id -g)"
echo "init: uid_map=$($B awk '{print $1, $2, $3}' /proc/self/uid_map | $B tr '\\n' ';')"
echo "init: gid_map=$($B awk '{print $1, $2, $3}' /proc/self/gid_map | $B tr '\\n' ';')"
echo "init: root=$(mounted /)"
echo "init: sysroot=$(mounted /sysroot)"
echo "init: sysroot-mounts=$($B awk '$5 ~ "^/sysroot/" {print $5}' /proc/self/mountinfo | $B tr '\\n' ' ')"
echo "init: hostname=$($B hostname)"
echo "init: layers=$($B cat $R/layer0 $R/layer1 | $B tr '\\n' ' ')same=$($B cat $R/same)"
echo "init: net=$($B ls /sys/class/net | $B tr '\\n' ' ')"
echo "init: processes=$($B ls /proc | $B grep -c '^[0-9]')"
echo "init: container-mounts=$($B grep -c lcboot-container /proc/self/mountinfo)"
$B touch $R/created-inside
trap 'echo "init: got TERM"; exit 7' TERM
echo "init: holding"
$B sleep 30 & wait $!
`;

/** Whether /mnt/init.yml, which only the container's own root has, is in the mount namespace of `pid` from its root. */
function oldRootInNamespace(pid: number): string {
  return execFileSync('nsenter', ['--target', String(pid), '--mount', '--', '/bin/sh', '-c', 'test -e /mnt/init.yml && echo present || echo absent'], { encoding: 'utf8', timeout: 10_000 }).trim();
}

const field = (container: RunningContainer, name: string): string => new RegExp(`^init: ${name}=(.*)$`, 'm').exec(container.output())?.[1]?.trim() ?? `(no ${name} line)`;

/** Starts the container, waits for its init to hold, looks into its mount namespace, then stops it with SIGTERM. */
async function runHeld(options: Parameters<typeof config>[0]): Promise<{ container: RunningContainer; status: number; oldRoot: string }> {
  const container = await startContainer({ config: config(options), init });
  await container.waitFor(/init: holding/);
  // Without a PID namespace unshare exec'd the copy of bootstrap, which exec'd /sbin/init: the container's only child.
  const children = execFileSync('cat', [`/proc/${container.pid}/task/${container.pid}/children`], { encoding: 'utf8' }).trim().split(/\s+/);
  expect(children).toHaveLength(1);
  const oldRoot = oldRootInNamespace(Number(children[0]));
  // To the container's PID 1, which forwards it.
  process.kill(container.pid, 'SIGTERM');
  return { container, status: await container.exited, oldRoot };
}

describe("lcboot's typical launch with bootstrap boot", () => {
  it('mode pivot: root inside is host 1000000, every gid range is mapped, / is the overlay with the layers highest first, the old root is gone', async () => {
    const { container, status, oldRoot } = await runHeld({ mode: 'pivot' });
    const output = container.output();
    expect(field(container, 'uid_map'), output).toBe('0 1000000 65536;');
    expect(field(container, 'gid_map')).toBe('0 1000000 1;1 1000001 1;2 1000002 1;3 1000003 65533;');
    expect(field(container, 'pid')).toMatch(/^\d+ id=0:0$/);
    expect(field(container, 'root')).toMatch(/^overlay overlay rw,lowerdir=\/mnt\/layers\/1:\/mnt\/layers\/0:\/mnt\/root,upperdir=\/mnt\/cache\/upper,workdir=\/mnt\/cache\/work/);
    expect(field(container, 'layers')).toBe('layer0 layer1 same=from-layer-1');
    expect(field(container, 'hostname')).toBe('lcboot-guest');
    expect(hostname()).not.toBe('lcboot-guest');
    // A new network namespace, and a sysfs mounted anew that shows it.
    expect(field(container, 'net')).toBe('lo');
    expect(output).toMatch(/hook: uid 0 in \/$/m);
    // pivot: neither this process's mount table nor its mount namespace holds the container's root any more.
    expect(field(container, 'container-mounts')).toBe('0');
    expect(oldRoot).toBe('absent');
    // The parent forwarded SIGTERM to the init, whose status is the container's.
    expect(output).toMatch(/init: got TERM/);
    expect(status, output).toBe(7);
    const created = statSync(join(container.dir, 'cache/upper/created-inside'));
    expect([created.uid, created.gid]).toEqual([SHIFT, SHIFT]);
    expect(output).toMatch(/bind \/dev \/proc \/sys \/run into \/sysroot \(recursively\), pivot_root into \/sysroot and detach the old root \(mode pivot\)/);
  });

  it('mode chroot: / is the new root, while the mount namespace still holds the old tree', async () => {
    const { container, status, oldRoot } = await runHeld({ mode: 'chroot' });
    expect(field(container, 'root'), container.output()).toMatch(/^overlay overlay rw,lowerdir=\/mnt\/layers\/1:/);
    expect(field(container, 'layers')).toBe('layer0 layer1 same=from-layer-1');
    // A chroot's mount table lists only what is under its root; from the namespace's root the old tree is all there.
    expect(field(container, 'container-mounts')).toBe('0');
    expect(oldRoot).toBe('present');
    expect(status).toBe(7);
  });

  it('mode none: / does not change; the new root is mounted at /sysroot with /dev /proc /sys /run in it', async () => {
    const { container, status, oldRoot } = await runHeld({ mode: 'none', program: '/sysroot/sbin/init', arguments: '[/sysroot]' });
    expect(field(container, 'root'), container.output()).toMatch(/^tmpfs lcboot-container rw/);
    expect(field(container, 'sysroot')).toMatch(/^overlay overlay rw,lowerdir=\/mnt\/layers\/1:/);
    expect(field(container, 'layers')).toBe('layer0 layer1 same=from-layer-1');
    expect(field(container, 'uid_map')).toBe('0 1000000 65536;');
    expect(field(container, 'sysroot-mounts').split(' ')).toEqual(expect.arrayContaining(['/sysroot/dev', '/sysroot/proc', '/sysroot/sys', '/sysroot/run']));
    expect(oldRoot).toBe('present');
    expect(status).toBe(7);
    expect(statSync(join(container.dir, 'cache/upper/created-inside')).uid).toBe(SHIFT);
  });

  it('with pid, the boot inside is PID 1 of a new PID namespace whose /proc is its own, and SIGTERM reaches it', async () => {
    const container = await startContainer({ config: config({ mode: 'pivot', namespaces: '[user, mount, uts, ipc, net, pid, cgroup]' }), init });
    await container.waitFor(/init: holding/);
    process.kill(container.pid, 'SIGTERM');
    const status = await container.exited;
    const output = container.output();
    expect(field(container, 'pid'), output).toBe('1 id=0:0');
    // /proc was mounted anew for the new PID namespace: it lists the init, its sleep and the ls of the count.
    expect(Number(field(container, 'processes'))).toBeLessThanOrEqual(4);
    expect(output).toMatch(/mount proc on \/proc, a new one even where one is mounted \(the PID namespace is new\)/);
    // The container's PID 1, and the copy of bootstrap inside, each PID 1 of its own PID namespace.
    expect(output.match(/bootstrap starting as PID 1 of a PID namespace/g)).toHaveLength(2);
    expect(output).toMatch(/init: got TERM/);
    expect(status).toBe(7);
  });
});

describe('container entry refusals', () => {
  it('a missing lower layer: the overlay mount fails inside, naming the call and errno, and the container ends with status 1', async () => {
    const started = Date.now();
    const container = await startContainer({ config: config({ mode: 'pivot', lower: '[/mnt/layers/2, /mnt/layers/0, /mnt/root]' }), init });
    const status = await container.exited;
    const output = container.output();
    expect(status, output).toBe(1);
    expect(output).toMatch(/boot aborted in switchRoot, step \d+ \(mount from \/switchRoot\/rootFileSystem\)/);
    expect(output).toMatch(/call: +mount failed with ENOENT/);
    expect(output).toMatch(/the boot in the namespaces ended \(status 1\)/);
    expect(output).not.toMatch(/^init: /m);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('no unshare(1) in the container: the namespaces step fails saying what is needed, and the container ends with status 1', async () => {
    const container = await startContainer({ config: config({ mode: 'pivot' }), init, hideUnshare: true });
    const status = await container.exited;
    const output = container.output();
    expect(status, output).toBe(1);
    expect(output).toMatch(/boot aborted in preSwitch, step 2 \(namespaces from \/namespaces\)/);
    expect(output).toMatch(/namespaces: needs util-linux unshare\(1\), which is not in this root \(looked at \/usr\/bin\/unshare, \/bin\/unshare and PATH=/);
    expect(output).not.toMatch(/bootstrap starting as pid/);
  });
});
