// The subhost config resolved into paths and rules (pure), and the util-linux command lines made from it.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/generated/config-types';
import { validateConfigText } from '../../../src/config/validate-config';
import { enterArgv, launchArgv } from '../../../src/subhost/namespace-command';
import { mountOf } from '../../../src/subhost/preflight';
import { nameFromFile, resolveSubhost, rootSetup } from '../../../src/subhost/subhost-spec';
import type { MountInfoEntry } from '../../../src/probe/mountinfo';

function config(yaml: string): Config {
  const result = validateConfigText(yaml);
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

const hold = 'postSwitch:\n  handoff: {mode: none}\n';

describe('resolveSubhost', () => {
  it('takes overlay-boot\'s defaults: name from the file, BASE/live, BASE/root, BASE/work over /', () => {
    const spec = resolveSubhost(config(`subhost: {}\n${hold}`), '/opt/subhost/copy/copy.yaml');
    expect(spec).toMatchObject({
      name: 'copy',
      hostname: 'copy',
      base: '/opt/subhost/copy',
      live: '/opt/subhost/copy/live',
      upper: '/opt/subhost/copy/root',
      work: '/opt/subhost/copy/work',
      lower: ['/'],
      setup: 'overlay',
      namespaces: ['mount', 'pid', 'net', 'uts', 'ipc'],
      netns: '/run/netns/copy',
      stateDirectory: '/run/bootstrap/subhosts/copy',
      log: '/run/bootstrap/subhosts/copy/console.log',
      stopTimeoutMs: 30_000,
    });
  });

  it('resolves base against the config\'s directory and the root against base', () => {
    const spec = resolveSubhost(config(`subhost:\n  name: web\n  base: ../web\n  root: {lower: [layer, /], live: /srv/live}\n  log: web.log\n${hold}`), '/etc/subhosts/web.yaml');
    expect(spec.base).toBe('/etc/web');
    expect(spec.lower).toEqual(['/etc/web/layer', '/']);
    expect(spec.live).toBe('/srv/live');
    expect(spec.log).toBe('/etc/web/web.log');
  });

  it('puts upper and work in the tmpfs with ramSize, in the image with image', () => {
    const ram = resolveSubhost(config(`subhost:\n  root: {ramSize: 1g}\n${hold}`), '/b/r.yaml');
    expect([ram.upper, ram.work]).toEqual(['/run/bootstrap/subhosts/r/ram/root', '/run/bootstrap/subhosts/r/ram/work']);
    const image = resolveSubhost(config(`subhost:\n  root: {image: r.img}\n${hold}`), '/b/r.yaml');
    expect([image.image, image.upper, image.work]).toEqual(['/b/r.img', '/b/mnt/root', '/b/mnt/work']);
  });

  it('has no named network namespace without net', () => {
    const spec = resolveSubhost(config(`namespaces: [mount, pid]\nsubhost: {}\n${hold}`), '/b/n.yaml');
    expect(spec.netns).toBeUndefined();
  });

  it('refuses a config without a subhost section', () => {
    expect(() => resolveSubhost(config(hold), '/b/x.yaml')).toThrow(/not a subhost config/);
  });

  it('names from files: the base name without its extension', () => {
    expect(nameFromFile('/ex1/ex1.conf')).toBe('ex1');
    expect(nameFromFile('/x/web.yaml')).toBe('web');
    expect(nameFromFile('/x/plain')).toBe('plain');
  });
});

describe('rootSetup (overlay-boot(8) UPPER, LOWER, LIVE)', () => {
  it('UPPER ≠ LOWER → overlay; UPPER = LOWER ≠ LIVE → bind; UPPER = LOWER = LIVE → live', () => {
    expect(rootSetup('/b/root', ['/'], '/b/live')).toBe('overlay');
    expect(rootSetup('/b/tree', ['/b/tree'], '/b/live')).toBe('bind');
    expect(rootSetup('/b/tree', ['/b/tree'], '/b/tree')).toBe('live');
    expect(rootSetup('/b/tree', ['/b/tree', '/'], '/b/tree')).toBe('overlay');
  });
});

describe('the namespace command lines', () => {
  const argv = ['/usr/bin/bootstrap', '__subhost-init', 'ex1'];
  it('creates every namespace with unshare, the network one bound to its name, the mount one private', () => {
    expect(launchArgv({ unshare: 'U', nsenter: 'N', namespaces: ['mount', 'pid', 'net', 'uts', 'ipc'], netns: '/run/netns/ex1', resume: false, argv })).toEqual([
      'U', '--fork', '--mount', '--pid', '--net=/run/netns/ex1', '--uts', '--ipc', '--propagation', 'private', '--', ...argv,
    ]);
  });

  it('joins the network namespace that stayed when it resumes', () => {
    expect(launchArgv({ unshare: 'U', nsenter: 'N', namespaces: ['mount', 'pid', 'net'], netns: '/run/netns/ex1', resume: true, argv })).toEqual([
      'N', '--net=/run/netns/ex1', '--', 'U', '--fork', '--mount', '--pid', '--propagation', 'private', '--', ...argv,
    ]);
  });

  it('enters every namespace of PID 1 with its root and directory', () => {
    expect(enterArgv('N', 42, ['mount', 'pid', 'uts'], ['/bin/sh'])).toEqual(['N', '--target=42', '--mount', '--pid', '--uts', '--root', '--wd', '--', '/bin/sh']);
  });
});

describe('mountOf', () => {
  const mounts = ['/', '/srv', '/srv/data', '/srvx'].map((mountPoint, index) => ({ mountId: index, mountPoint }) as MountInfoEntry);
  it('finds the longest mount point at or above a path, not one that merely shares a prefix', () => {
    expect(mountOf('/srv/data/upper', mounts)).toBe('/srv/data');
    expect(mountOf('/srv/other', mounts)).toBe('/srv');
    expect(mountOf('/srvx/a', mounts)).toBe('/srvx');
    expect(mountOf('/srvy', mounts)).toBe('/');
  });
});
