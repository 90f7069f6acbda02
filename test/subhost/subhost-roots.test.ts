// overlay-boot's root rules (overlay, bind, LIVE as it is), the tmpfs upper, shares, refusals that change
// nothing, a start that fails half-way and is undone, and two subhosts that do not see each other.
import { spawn, spawnSync } from 'node:child_process';
import { binary } from '../supervise/run-supervisor';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busyboxTree, cli, mountsUnder, netnsNames, status, subhostDir, subhostStarter } from './subhost-fixture';

const { start, track } = subhostStarter();

/** Asserts a refused start: status 1, every `messages` in stderr, and nothing left on the host. */
function expectRefused(config: string, name: string, base: string, messages: RegExp[]): void {
  track(name);
  const run = cli(['subhost', 'start', config]);
  expect(run.status, run.stderr).toBe(1);
  for (const message of messages) expect(run.stderr).toMatch(message);
  expect(mountsUnder(base)).toEqual([]);
  expect(netnsNames()).not.toContain(name);
  expect(existsSync(`/run/bootstrap/subhosts/${name}/state.json`)).toBe(false);
}

const hold = 'postSwitch:\n  handoff: {mode: none}\n';

describe('the root, as overlay-boot derives it from UPPER, LOWER and LIVE', () => {
  it('UPPER = LOWER = LIVE: the directory is the root as it is, without any new mount on the host', () => {
    const dir = subhostDir('live', `subhost:\n  root: {upper: tree, lower: tree, live: tree}\n${hold}`, ['tree']);
    busyboxTree(join(dir.base, 'tree'));
    writeFileSync(join(dir.base, 'tree/etc/marker'), 'the tree itself\n');
    start(dir.config, dir.name);
    expect(mountsUnder(dir.base)).toEqual([]);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'cat /etc/marker; echo new > /etc/written']);
    expect(run.stdout).toBe('the tree itself\n');
    expect(existsSync(join(dir.base, 'tree/etc/written'))).toBe(true);
  });

  it('UPPER = LOWER ≠ LIVE: upper is bound at live', () => {
    const dir = subhostDir('bind', `subhost:\n  root: {upper: tree, lower: tree}\n${hold}`, ['tree', 'live']);
    busyboxTree(join(dir.base, 'tree'));
    start(dir.config, dir.name);
    expect(mountsUnder(dir.base)).toEqual([join(dir.base, 'live')]);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'echo via-bind > /root/file']);
    expect(run.status).toBe(0);
    expect(existsSync(join(dir.base, 'tree/root/file'))).toBe(true);
  });

  it('several lower layers, highest first, under a tmpfs upper (ramSize) whose writes vanish at stop', () => {
    const dir = subhostDir('layers', `subhost:\n  root: {lower: [top, tree], ramSize: 16m}\n${hold}`, ['top/etc', 'tree', 'live']);
    busyboxTree(join(dir.base, 'tree'));
    writeFileSync(join(dir.base, 'tree/etc/layer'), 'lower\n');
    writeFileSync(join(dir.base, 'top/etc/layer'), 'top\n');
    start(dir.config, dir.name);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'cat /etc/layer; echo x > /etc/new; df -k / | tail -1']);
    expect(run.stdout.split('\n')[0]).toBe('top');
    expect(existsSync(join(dir.base, 'tree/etc/new'))).toBe(false);
    expect(existsSync(join(dir.base, 'top/etc/new'))).toBe(false);
    expect(cli(['subhost', 'stop', dir.name]).status).toBe(0);
    expect(mountsUnder(dir.base)).toEqual([]);
    expect(mountsUnder(`/run/bootstrap/subhosts/${dir.name}`)).toEqual([]);
  });

  it('shares a host directory, read-only when asked', () => {
    const dir = subhostDir('share', `subhost:\n  share:\n    - {source: $TOP/data, target: /srv/data, readOnly: true}\n    - {source: $TOP/rw}\n${hold}`);
    mkdirSync(join(dir.top, 'data'));
    mkdirSync(join(dir.top, 'rw'));
    writeFileSync(join(dir.top, 'data/file'), 'shared\n');
    start(dir.config, dir.name);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', `cat /srv/data/file; touch /srv/data/new 2>/dev/null && echo writable || echo read-only; echo rw > ${dir.top}/rw/out`]);
    expect(run.stdout).toBe('shared\nread-only\n');
    expect(readdirSync(join(dir.top, 'rw'))).toEqual(['out']);
  });
});

describe('an image-file subhost (the subhost scripts\' $SUB.img)', () => {
  it('runs with its upper and work inside the image, loop-mounted at base/mnt, and frees the loop device at stop', () => {
    const dir = subhostDir('img', `subhost:\n  root: {image: disk.img}\n${hold}`, ['live', 'image-tree/root', 'image-tree/work']);
    const image = join(dir.base, 'disk.img');
    const made = spawnSync('mkfs.ext4', ['-q', '-F', '-d', join(dir.base, 'image-tree'), image, '16M'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    start(dir.config, dir.name);
    expect(mountsUnder(dir.base).sort()).toEqual([join(dir.base, 'live'), join(dir.base, 'mnt')]);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'echo in-image > /root/image-file']);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(dir.base, 'mnt/root/root/image-file'))).toBe(true);
    expect(existsSync(join(dir.base, 'root'))).toBe(false);
    expect(cli(['subhost', 'stop', dir.name]).status).toBe(0);
    expect(mountsUnder(dir.base)).toEqual([]);
    expect(spawnSync('losetup', ['-j', image], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('is refused when the image has no /root or /work, and what was done is undone', () => {
    const dir = subhostDir('imgbad', `subhost:\n  root: {image: disk.img}\n${hold}`, ['live', 'empty']);
    const image = join(dir.base, 'disk.img');
    expect(spawnSync('mkfs.ext4', ['-q', '-F', '-d', join(dir.base, 'empty'), image, '8M']).status).toBe(0);
    expectRefused(dir.config, dir.name, dir.base, [/has no \/root directory/, /everything it did was undone/]);
    expect(spawnSync('losetup', ['-j', image], { encoding: 'utf8' }).stdout).toBe('');
  });
});

describe('refusals change nothing', () => {
  it('a missing work directory', () => {
    const dir = subhostDir('nowork', `subhost: {}\n${hold}`, ['root', 'live']);
    expectRefused(dir.config, dir.name, dir.base, [/nothing was changed/, new RegExp(`work ${dir.base}/work: does not exist`)]);
  });

  it('a lower layer that does not exist, and work on another mount than upper, all reported at once', () => {
    const dir = subhostDir('nolower', `subhost:\n  root: {lower: /nonexistent-layer, work: /dev/shm}\n${hold}`);
    expectRefused(dir.config, dir.name, dir.base, [/lower \/nonexistent-layer: does not exist/, /work \/dev\/shm: is on the mount at \/dev\/shm, upper .* on the mount at /]);
  });

  it('an image that is not a filesystem', () => {
    const dir = subhostDir('badimg', `subhost:\n  root: {image: disk.img}\n${hold}`);
    writeFileSync(join(dir.base, 'disk.img'), Buffer.alloc(128 * 1024, 0x5a));
    expectRefused(dir.config, dir.name, dir.base, [/disk\.img: is not a filesystem image/]);
  });

  it('a name that is already running', () => {
    const dir = subhostDir('twice', `subhost: {}\n${hold}`);
    start(dir.config, dir.name);
    const run = cli(['subhost', 'start', dir.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`subhost ${dir.name} is already running`));
    expect(status(dir.name).condition).toBe('running');
  });

  it('two starts of one subhost at once: one starts it, the other is refused', async () => {
    const dir = subhostDir('race', `subhost: {}\n${hold}`);
    track(dir.name);
    const run = (): Promise<number | null> => new Promise((done) => spawn(binary, ['subhost', 'start', dir.config], { stdio: 'ignore' }).on('exit', (code) => done(code)));
    const codes = await Promise.all([run(), run()]);
    expect(codes.sort()).toEqual([0, 1]);
    expect(status(dir.name).condition).toBe('running');
    expect(mountsUnder(dir.base)).toEqual([join(dir.base, 'live')]);
  });

  it('a start that fails half-way (a failing postmount) is undone in reverse', () => {
    const dir = subhostDir('undo', `subhost:\n  postmount: ["test -d $LIVE/etc", "echo postmount-ran > $BASE/ran; exit 3"]\n${hold}`);
    expectRefused(dir.config, dir.name, dir.base, [/postmount\[1\].*exited with status 3/, /everything it did was undone/]);
    expect(existsSync(join(dir.base, 'ran'))).toBe(true);
  });
});

describe('two subhosts at once', () => {
  it('do not see each other\'s processes, mounts or hostnames', () => {
    const a = subhostDir('twa', `subhost: {}\n${hold}`);
    const b = subhostDir('twb', `subhost:\n  share: [{source: $TOP/only-b, target: /only-b}]\n${hold}`);
    mkdirSync(join(b.top, 'only-b'));
    start(a.config, a.name);
    start(b.config, b.name);
    expect(cli(['subhost', 'enter', b.name, '--', '/bin/sh', '-c', 'sleep 1000 </dev/null >/dev/null 2>&1 &']).status).toBe(0);
    const fromA = cli(['subhost', 'enter', a.name, '--', '/bin/sh', '-c', 'hostname; ps -eo comm | grep -c sleep; grep -c only-b /proc/self/mountinfo']);
    expect(fromA.stdout.split('\n').slice(0, 3)).toEqual([a.name, '0', '0']);
    expect(cli(['subhost', 'enter', b.name, '--', '/bin/sh', '-c', 'ps -eo comm | grep -c sleep']).stdout.trim()).toBe('1');
    const listed = cli(['subhost', 'list', '--output', 'json']);
    const names = (JSON.parse(listed.stdout) as { name: string; condition: string }[]).filter((entry) => entry.name === a.name || entry.name === b.name);
    expect(names.map((entry) => entry.condition)).toEqual(['running', 'running']);
  });
});
