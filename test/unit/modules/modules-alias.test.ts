// modules.alias and modules.softdep parsing, and load orders that go through them, against real Debian 6.1 text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeAliases, parseBuiltinModinfoAliases, parseModulesAlias, parseModulesSoftdep, resolveAlias } from '../../../src/modules/modules-alias';
import { loadOrder, moduleName, parseModulesDep } from '../../../src/modules/modules-dep';
import { readModuleTree } from '../../../src/modules/resolve-modules';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const deps = parseModulesDep(fixture('modules.dep'));
const aliases = parseModulesAlias(fixture('modules.alias'));
const softdeps = parseModulesSoftdep(fixture('modules.softdep'));

describe('parseModulesAlias and resolveAlias', () => {
  it('resolves exact aliases to every module in file order, with - and _ alike', () => {
    expect(resolveAlias(aliases, 'crypto-crc32c')).toEqual(['crc32c_intel', 'crc32c_generic']);
    expect(resolveAlias(aliases, 'crypto_crc32c')).toEqual(['crc32c_intel', 'crc32c_generic']);
    expect(resolveAlias(aliases, 'fs-virtiofs')).toEqual(['virtiofs']);
    expect(resolveAlias(aliases, 'char-major-10-229')).toEqual(['fuse']);
    expect(resolveAlias(aliases, 'fs-btrfs')).toEqual([]);
  });

  it('matches glob patterns like fnmatch', () => {
    expect(resolveAlias(aliases, 'virtio:d0000001Av00001AF4')).toEqual(['virtiofs']);
    expect(resolveAlias(aliases, 'pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00')).toEqual(['virtio_pci']);
    expect(resolveAlias(aliases, 'virtio:d0000001A')).toEqual([]);
    const classes = parseModulesAlias('alias usb:v*p*d*dc*dsc*dp*ic03isc01ip0[1-2]in* usbkbd\nalias x[!a]y m\n');
    expect(resolveAlias(classes, 'usb:v1234p5678d0100dc00dsc00dp00ic03isc01ip02in00')).toEqual(['usbkbd']);
    expect(resolveAlias(classes, 'usb:v1234p5678d0100dc00dsc00dp00ic03isc01ip03in00')).toEqual([]);
    expect(resolveAlias(classes, 'xby')).toEqual(['m']);
    expect(resolveAlias(classes, 'xay')).toEqual([]);
  });

  it('skips comments and lines that are not aliases', () => {
    const parsed = parseModulesAlias('# Aliases extracted from modules themselves.\n\nnot an alias\nalias only-two\nalias a b\n');
    expect([...parsed.exact]).toEqual([['a', ['b']]]);
    expect(parsed.patterns).toEqual([]);
  });
});

describe('parseModulesSoftdep', () => {
  it('reads pre and post lists and ignores words before them, as kmod does', () => {
    expect(softdeps.get('ext4')).toEqual({ pre: ['crypto-crc32c'], post: [] });
    expect(softdeps.has('cifs')).toBe(false);
    const parsed = parseModulesSoftdep('softdep snd-hda-intel ignored pre: a b post: c # comment\nsoftdep x\n');
    expect([...parsed]).toEqual([['snd_hda_intel', { pre: ['a', 'b'], post: ['c'] }]]);
  });
});

describe('loadOrder with aliases and soft dependencies', () => {
  it('loads ext4\'s soft dependency first, both crc32c providers optional', () => {
    const order = loadOrder(['ext4'], deps, { aliases, softdeps });
    expect(order.paths.map(moduleName)).toEqual(['crc32c_intel', 'crc32c_generic', 'jbd2', 'mbcache', 'crc16', 'ext4']);
    expect(order.optional.map(moduleName)).toEqual(['crc32c_intel', 'crc32c_generic']);
  });

  it('makes an optional module required when it is also asked for', () => {
    const order = loadOrder(['ext4', 'crc32c_generic'], deps, { aliases, softdeps });
    expect(order.optional.map(moduleName)).toEqual(['crc32c_intel']);
  });

  it('resolves a requested alias; one target is required, several are optional', () => {
    expect(loadOrder(['fs-virtiofs'], deps, { aliases })).toMatchObject({
      paths: ['kernel/fs/fuse/fuse.ko', 'kernel/drivers/virtio/virtio_ring.ko', 'kernel/drivers/virtio/virtio.ko', 'kernel/fs/fuse/virtiofs.ko'],
      optional: [],
      skipped: [],
    });
    expect(loadOrder(['crc32c'], deps, { aliases }).optional).toHaveLength(2);
    expect(() => loadOrder(['crc32c'], deps)).toThrow('module crc32c is not in modules.dep');
  });

  it('skips an alias whose module is built in, and ignores soft dependencies it cannot find', () => {
    const builtin = new Set(['crc32c_generic', 'crc32c_intel']);
    const order = loadOrder(['crc32c', 'ext4'], deps, { aliases, softdeps, builtin });
    expect(order.skipped).toEqual([{ name: 'crc32c_intel', reason: 'builtin' }, { name: 'crc32c_generic', reason: 'builtin' }]);
    expect(order.paths.map(moduleName)).toEqual(['jbd2', 'mbcache', 'crc16', 'ext4']);
    const unknownSoft = parseModulesSoftdep('softdep fuse pre: no-such-thing post: overlay\n');
    expect(loadOrder(['fuse'], deps, { softdeps: unknownSoft }).paths.map(moduleName)).toEqual(['fuse', 'overlay']);
  });

  it('does not treat a soft edge back into the chain as a cycle', () => {
    const mutual = parseModulesSoftdep('softdep fuse post: virtiofs\n');
    expect(loadOrder(['virtiofs'], deps, { softdeps: mutual }).paths.map(moduleName)).toEqual(['fuse', 'virtio_ring', 'virtio', 'virtiofs']);
  });
});

describe('aliases of built-in modules (modules.builtin.modinfo)', () => {
  // Records as Debian 13's 6.12 has them: NUL-separated, every key of every built-in module, aliases among them.
  const modinfo = [
    'fuse.alias=devname:fuse',
    'fuse.alias=char-major-10-229',
    'fuse.parmtype=max_user_bgreq:uint',
    'fuse.alias=fs-fuse',
    'fuse.file=fs/fuse/fuse',
    'virtiofs.alias=fs-virtiofs',
    'virtio_pci.parm=force_legacy:Force legacy mode for transitional virtio 1 devices',
    'rsa_generic.alias=crypto-rsa',
    '',
  ].join('\0');

  it('reads only the alias records, with - and _ alike', () => {
    const builtin = parseBuiltinModinfoAliases(modinfo);
    expect(resolveAlias(builtin, 'fs-virtiofs')).toEqual(['virtiofs']);
    expect(resolveAlias(builtin, 'char_major_10_229')).toEqual(['fuse']);
    expect(resolveAlias(builtin, 'crypto-rsa')).toEqual(['rsa_generic']);
    expect(resolveAlias(builtin, 'force_legacy')).toEqual([]);
    expect([...builtin.exact.keys()].sort()).toEqual(['char_major_10_229', 'crypto_rsa', 'devname:fuse', 'fs_fuse', 'fs_virtiofs']);
  });

  it('merges with modules.alias, the tree\'s own modules first, and resolves built-in aliases as built in', () => {
    const merged = mergeAliases(parseModulesAlias('alias fs-fuse other_fuse\n'), parseBuiltinModinfoAliases(modinfo));
    expect(resolveAlias(merged, 'fs-fuse')).toEqual(['other_fuse', 'fuse']);
    const order = loadOrder(['fs-virtiofs'], parseModulesDep(''), { builtin: new Set(['virtiofs']), aliases: merged });
    expect(order).toEqual({ paths: [], after: new Map(), optional: [], skipped: [{ name: 'virtiofs', reason: 'builtin' }] });
  });
});

describe('a module tree\'s aliases, read when first needed', () => {
  const tree = '/lib/modules/6.1.0-test';
  const texts = new Map([
    [`${tree}/modules.alias`, fixture('modules.alias')],
    [`${tree}/modules.softdep`, fixture('modules.softdep')],
    [`${tree}/modules.builtin.modinfo`, 'virtiofs.alias=fs-virtiofs\0'],
  ]);
  const treeOf = (reads: string[]): ReturnType<typeof readModuleTree> =>
    readModuleTree(tree, fixture('modules.dep'), (path) => {
      reads.push(path);
      return texts.get(path);
    });

  it('reads neither modules.alias nor modules.builtin.modinfo when every name and soft dependency is in modules.dep', () => {
    const reads: string[] = [];
    const { deps: treeDeps, facts } = treeOf(reads);
    expect(loadOrder(['virtiofs'], treeDeps, facts).paths).toEqual(loadOrder(['virtiofs'], deps, { aliases, softdeps }).paths);
    expect(reads).not.toContain(`${tree}/modules.alias`);
    expect(reads).not.toContain(`${tree}/modules.builtin.modinfo`);
  });

  it('reads both once when a name is an alias, and resolves it as before', () => {
    const reads: string[] = [];
    const { deps: treeDeps, facts } = treeOf(reads);
    const eager = { aliases: mergeAliases(aliases, parseBuiltinModinfoAliases('virtiofs.alias=fs-virtiofs\0')), softdeps };
    const order = loadOrder(['crc32c', 'fs-virtiofs'], treeDeps, facts);
    expect(order).toEqual(loadOrder(['crc32c', 'fs-virtiofs'], deps, eager));
    expect(order.optional.length).toBeGreaterThan(0);
    expect(loadOrder(['crc32c'], treeDeps, facts).paths).toEqual(loadOrder(['crc32c'], deps, eager).paths);
    expect(reads.filter((path) => path === `${tree}/modules.alias`)).toHaveLength(1);
    expect(reads.filter((path) => path === `${tree}/modules.builtin.modinfo`)).toHaveLength(1);
  });
});
