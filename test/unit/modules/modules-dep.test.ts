// modules.dep, modules.builtin and /proc/modules parsing, and load ordering, against real Debian 6.1 text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ModuleOrderError,
  ModulesDepError,
  findModule,
  formatModulesDep,
  isModuleFile,
  loadOrder,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
  parseProcModules,
} from '../../../src/modules/modules-dep';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const deps = parseModulesDep(fixture('modules.dep'));

describe('moduleName', () => {
  it('strips directories and every module suffix', () => {
    expect(moduleName('kernel/fs/fuse/virtiofs.ko')).toBe('virtiofs');
    expect(moduleName('kernel/fs/fuse/virtiofs.ko.xz')).toBe('virtiofs');
    expect(moduleName('kernel/fs/fuse/virtiofs.ko.gz')).toBe('virtiofs');
    expect(moduleName('kernel/fs/fuse/virtiofs.ko.zst')).toBe('virtiofs');
    expect(moduleName('virtiofs')).toBe('virtiofs');
  });

  it('treats - and _ as the same character', () => {
    expect(moduleName('kernel/sound/pci/hda/snd-hda-intel.ko')).toBe('snd_hda_intel');
    expect(moduleName('snd_hda-intel')).toBe('snd_hda_intel');
  });

  it('recognises the four suffixes only', () => {
    expect(['a.ko', 'a.ko.gz', 'a.ko.xz', 'a.ko.zst'].every(isModuleFile)).toBe(true);
    expect(['a.o', 'a.ko.bz2', 'a.kox', 'modules.dep'].some(isModuleFile)).toBe(false);
  });
});

describe('parseModulesDep', () => {
  it('reads paths and dependency paths as written', () => {
    expect(deps.get('kernel/fs/fuse/virtiofs.ko')).toEqual([
      'kernel/drivers/virtio/virtio.ko',
      'kernel/drivers/virtio/virtio_ring.ko',
      'kernel/fs/fuse/fuse.ko',
    ]);
    expect(deps.get('kernel/fs/fuse/fuse.ko')).toEqual([]);
    expect(deps.size).toBe(fixture('modules.dep').trim().split('\n').length);
  });

  it('tolerates blank lines, CRLF and compressed suffixes', () => {
    const parsed = parseModulesDep('\nkernel/a.ko.zst: kernel/b.ko.xz\r\n\n  \nkernel/b.ko.xz:\n');
    expect([...parsed]).toEqual([
      ['kernel/a.ko.zst', ['kernel/b.ko.xz']],
      ['kernel/b.ko.xz', []],
    ]);
  });

  it('rejects a line without a colon, naming the line number', () => {
    expect(() => parseModulesDep('kernel/a.ko:\n\nkernel/b.ko kernel/a.ko\n')).toThrow(
      new ModulesDepError(3, 'expected "path: dependencies", got "kernel/b.ko kernel/a.ko"'),
    );
  });

  it('rejects non-module paths, bad dependencies and duplicates', () => {
    expect(() => parseModulesDep('kernel/a.txt:\n')).toThrow(/line 1: kernel\/a.txt is not a module file/);
    expect(() => parseModulesDep('a.ko:\nb.ko: a.ko c:\n')).toThrow(/line 2: dependency "c:" of b.ko is not a module file/);
    expect(() => parseModulesDep('a.ko:\na.ko:\n')).toThrow(/line 2: a.ko is listed twice/);
    expect(() => parseModulesDep(': a.ko\n')).toThrow(/line 1: bad module path ""/);
  });

  it('round-trips through formatModulesDep', () => {
    expect(parseModulesDep(formatModulesDep(deps))).toEqual(deps);
    expect(formatModulesDep(parseModulesDep('a.ko:\nb.ko: a.ko\n'))).toBe('a.ko:\nb.ko: a.ko\n');
  });
});

describe('parseModulesBuiltin and parseProcModules', () => {
  it('gives canonical names', () => {
    const builtin = parseModulesBuiltin(fixture('modules.builtin'));
    expect([...builtin]).toEqual(['amd_uncore', 'libblake2s_x86_64', 'iosf_mbi', 'unix', '8250']);
    expect([...parseProcModules(fixture('proc-modules'))]).toEqual(['virtiofs', 'fuse', 'virtio_ring', 'virtio']);
    expect(parseProcModules('\n\n').size).toBe(0);
  });
});

describe('findModule', () => {
  it('finds by name, by name with - or _, by name with suffix, and by path', () => {
    expect(findModule(deps, 'virtiofs')).toBe('kernel/fs/fuse/virtiofs.ko');
    expect(findModule(deps, 'virtiofs.ko.xz')).toBe('kernel/fs/fuse/virtiofs.ko');
    expect(findModule(deps, 'snd_hda_codec')).toBe('kernel/sound/pci/hda/snd-hda-codec.ko');
    expect(findModule(deps, 'kernel/fs/fuse/virtiofs.ko')).toBe('kernel/fs/fuse/virtiofs.ko');
    expect(findModule(deps, 'kernel/fs/fuse/virtiofs.ko.zst')).toBe('kernel/fs/fuse/virtiofs.ko');
  });

  it('does not match a path in another directory or an unknown name', () => {
    expect(findModule(deps, 'kernel/fs/virtiofs.ko')).toBeUndefined();
    expect(findModule(deps, 'virtiofs2')).toBeUndefined();
  });
});

describe('loadOrder', () => {
  it('puts dependencies first, in the order modprobe uses', () => {
    expect(loadOrder(['virtiofs'], deps).paths).toEqual([
      'kernel/fs/fuse/fuse.ko',
      'kernel/drivers/virtio/virtio_ring.ko',
      'kernel/drivers/virtio/virtio.ko',
      'kernel/fs/fuse/virtiofs.ko',
    ]);
  });

  it('lists each module once across several requests, keeping request order', () => {
    const order = loadOrder(['virtio_pci', 'virtiofs', '9p', '9pnet_virtio', 'fuse'], deps).paths.map(moduleName);
    expect(order).toEqual([
      'virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci',
      'fuse', 'virtiofs',
      'netfs', 'fscache', '9pnet', '9p',
      '9pnet_virtio',
    ]);
    expect(new Set(order).size).toBe(order.length);
  });

  it('orders every dependency before its dependents for a deep tree', () => {
    const order = loadOrder(['snd-hda-codec'], deps).paths;
    order.forEach((path, index) => {
      for (const dep of deps.get(path) ?? []) expect(order.indexOf(dep)).toBeLessThan(index);
    });
    expect(order.at(-1)).toBe('kernel/sound/pci/hda/snd-hda-codec.ko');
    expect(order).toHaveLength(7);
  });

  it('says what each load must wait for: the modules of its modules.dep line that load before it', () => {
    const result = loadOrder(['virtio_pci', 'virtiofs'], deps);
    const after = Object.fromEntries([...result.after].map(([path, before]) => [moduleName(path), before.map(moduleName).sort()]));
    expect(after).toEqual({
      virtio_ring: [],
      virtio: ['virtio_ring'],
      virtio_pci_modern_dev: [],
      virtio_pci_legacy_dev: [],
      virtio_pci: ['virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_ring'],
      fuse: [],
      virtiofs: ['fuse', 'virtio', 'virtio_ring'],
    });
    // Every wait is for an earlier load: a run in order never waits for what comes later.
    for (const [index, path] of result.paths.entries()) {
      for (const before of result.after.get(path) ?? []) expect(result.paths.indexOf(before)).toBeLessThan(index);
    }
  });

  it('waits for soft dependencies the way modprobe orders them, and never for a module already loaded', () => {
    const tree = parseModulesDep('a.ko: c.ko\nb.ko:\nc.ko:\nd.ko:\n');
    const softdeps = new Map([['a', { pre: ['b'], post: ['d'] }]]);
    const result = loadOrder(['a'], tree, { softdeps, loaded: new Set(['c']) });
    expect(result.paths).toEqual(['b.ko', 'a.ko', 'd.ko']);
    expect(Object.fromEntries(result.after)).toEqual({ 'b.ko': [], 'a.ko': ['b.ko'], 'd.ko': ['a.ko'] });
    // A post soft dependency loaded earlier for another reason is not made to wait for a later module.
    const early = loadOrder(['d', 'a'], tree, { softdeps });
    expect(early.paths).toEqual(['d.ko', 'b.ko', 'c.ko', 'a.ko']);
    expect(early.after.get('d.ko')).toEqual([]);
    expect([...(early.after.get('a.ko') ?? [])].sort()).toEqual(['b.ko', 'c.ko']);
  });

  it('skips built-in modules and already loaded ones, with their reason', () => {
    const builtin = parseModulesBuiltin(fixture('modules.builtin'));
    const loaded = parseProcModules(fixture('proc-modules'));
    const result = loadOrder(['unix', 'virtiofs', 'virtio_blk', 'overlay'], deps, { builtin, loaded });
    expect(result.skipped).toEqual([
      { name: 'unix', reason: 'builtin' },
      { name: 'virtiofs', reason: 'loaded' },
    ]);
    // virtio and virtio_ring are loaded already, so virtio_blk needs only itself.
    expect(result.paths).toEqual(['kernel/drivers/block/virtio_blk.ko', 'kernel/fs/overlayfs/overlay.ko']);
  });

  it('names an unknown module and suggests a close one', () => {
    expect(() => loadOrder(['virtiofs', 'virtio_fs'], deps)).toThrow(
      new ModuleOrderError('unknown', 'module virtio_fs is not in modules.dep; did you mean virtiofs?'),
    );
    expect(() => loadOrder(['ovrlay'], deps)).toThrow(/module ovrlay is not in modules\.dep; did you mean overlay\?/);
    expect(() => loadOrder(['zzzzzzzz'], deps)).toThrow(/^module zzzzzzzz is not in modules\.dep$/);
    expect(() => loadOrder(['zzzzzzzz'], deps)).toThrow(expect.objectContaining({ reason: 'unknown' }));
  });

  it('reports a dependency missing from modules.dep', () => {
    const broken = parseModulesDep('a.ko: b.ko\n');
    expect(() => loadOrder(['a'], broken)).toThrow('module a depends on b.ko, which modules.dep does not list');
    expect(() => loadOrder(['a'], broken)).toThrow(expect.objectContaining({ reason: 'missing-dependency' }));
  });

  it('reports a cycle with its path', () => {
    const cyclic = parseModulesDep('a.ko: b.ko\nb.ko: a.ko\n');
    expect(() => loadOrder(['a'], cyclic)).toThrow(new ModuleOrderError('cycle', 'module dependency cycle: a -> b -> a'));
    const longer = parseModulesDep('x.ko: a.ko\na.ko: b.ko\nb.ko: c.ko\nc.ko: a.ko\n');
    expect(() => loadOrder(['x'], longer)).toThrow('module dependency cycle: a -> b -> c -> a');
    expect(() => loadOrder(['x'], longer)).toThrow(expect.objectContaining({ reason: 'cycle' }));
  });
});
