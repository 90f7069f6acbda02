// Modules compressed every way a distribution ships them (.ko.gz, .ko.xz, .ko.zst, .ko) load in dependency
// order from a real Debian kernel's modules, and the guest reaches its root through them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrder, parseModulesDep } from '../../src/modules/modules-dep';
import { bootGuest, buildGuestRoot, guestInitPattern, packBootstrap, panicPattern, readKernelEnv, removeTempDirs, stopAll, tempDir, waitForExit, type KernelEnv } from '../../harness/vm';

const bootTimeoutMs = 60_000;

// One compression per module, in turn, so every kind is loaded at least once.
const compressors = [
  { suffix: '.ko.xz', command: ['xz', '--check=crc32', '-T1', '-c'] },
  { suffix: '.ko.gz', command: ['gzip', '-n', '-c'] },
  { suffix: '.ko.zst', command: ['zstd', '-q', '-c'] },
  { suffix: '.ko', command: [] },
] as const;

/** A lib/modules/KVER tree holding the modules `names` need, each compressed in turn, with a matching modules.dep. */
function compressedTree(kernel: KernelEnv, names: string[], into: string): { tree: string; suffixes: Record<string, string> } {
  const tree = join(into, kernel.version);
  const deps = parseModulesDep(readFileSync(join(kernel.modules, 'modules.dep'), 'utf8'));
  const paths = loadOrder(names, deps).paths;
  const renamed = new Map<string, string>();
  const suffixes: Record<string, string> = {};
  for (const [index, path] of paths.entries()) {
    const compressor = compressors[index % compressors.length]!;
    const target = path.replace(/\.ko$/, compressor.suffix);
    mkdirSync(dirname(join(tree, target)), { recursive: true });
    if (compressor.command.length === 0) copyFileSync(join(kernel.modules, path), join(tree, target));
    else writeFileSync(join(tree, target), execFileSync(compressor.command[0], [...compressor.command.slice(1), join(kernel.modules, path)], { maxBuffer: 1 << 28 }));
    renamed.set(path, target);
    suffixes[target.slice(target.lastIndexOf('/') + 1).replace(/\.ko.*$/, '')] = compressor.suffix;
  }
  const lines = paths.map((path) => `${renamed.get(path)}: ${(deps.get(path) ?? []).map((dep) => renamed.get(dep)).join(' ')}`.trimEnd());
  writeFileSync(join(tree, 'modules.dep'), `${lines.join('\n')}\n`);
  copyFileSync(join(kernel.modules, 'modules.builtin'), join(tree, 'modules.builtin'));
  return { tree, suffixes };
}

/** A lib/modules/KVER tree with the modules `names` need, uncompressed, and their modules.dep. */
function plainTree(kernel: KernelEnv, names: string[], into: string): string {
  const tree = join(into, kernel.version);
  const deps = parseModulesDep(readFileSync(join(kernel.modules, 'modules.dep'), 'utf8'));
  const paths = loadOrder(names, deps).paths;
  for (const path of paths) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    copyFileSync(join(kernel.modules, path), join(tree, path));
  }
  writeFileSync(join(tree, 'modules.dep'), paths.map((path) => `${path}: ${(deps.get(path) ?? []).join(' ')}`.trimEnd()).join('\n') + '\n');
  return tree;
}

describe('compressed modules', () => {
  let kernel: KernelEnv;
  let work: string;
  let guestRoot: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    work = tempDir('boot-modules');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
  });
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it(
    'loads .ko, .ko.gz, .ko.xz and .ko.zst modules, dependencies first, and reaches a virtiofs root',
    async () => {
      const { tree, suffixes } = compressedTree(kernel, ['virtio_pci', 'virtiofs'], join(work, 'modules'));
      expect(new Set(Object.values(suffixes))).toEqual(new Set(['.ko', '.ko.gz', '.ko.xz', '.ko.zst']));
      const config = `logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio-pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;
      const initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel: { ...kernel, modules: tree }, config });
      const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs });
      await guest.waitFor(guestInitPattern, bootTimeoutMs);
      await waitForExit(guest, bootTimeoutMs);
      const console = guest.console().replace(/\r/g, '');
      expect(console).not.toMatch(panicPattern);
      const loaded = [...console.matchAll(/bootstrap: load module (\S+) from (\S+)/g)].map((match) => [match[1], match[2]!.slice(match[2]!.lastIndexOf('/') + 1)]);
      expect(loaded.map(([name]) => name)).toEqual(['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'fuse', 'virtiofs']);
      for (const [name, file] of loaded) expect(file).toBe(`${name}${suffixes[name!]}`);
    },
    2 * bootTimeoutMs,
  );

  it(
    "loads postSwitch modules from the real root's module tree: one the initramfs does not have, with its dependencies",
    async () => {
      const { tree } = compressedTree(kernel, ['virtio_pci', 'virtiofs'], join(work, 'initramfs-modules'));
      // 8021q and what it needs (garp, mrp, stp, llc) exist only in the guest's /lib/modules.
      const rootTree = plainTree(kernel, ['8021q'], join(guestRoot, 'lib/modules'));
      expect(readFileSync(join(tree, 'modules.dep'), 'utf8')).not.toContain('8021q');
      const config = `logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio-pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  modules: {names: [8021q]}
  handoff: {mode: exec, program: /sbin/init}
`;
      const initrd = packBootstrap({ work: join(work, 'post-switch'), output: join(work, 'post-switch-initrd'), kernel: { ...kernel, modules: tree }, config });
      const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs });
      await guest.waitFor(guestInitPattern, bootTimeoutMs);
      await waitForExit(guest, bootTimeoutMs);
      const console = guest.console().replace(/\r/g, '');
      expect(console).not.toMatch(panicPattern);
      const loaded = [...console.matchAll(/bootstrap: loaded module (\S+) from (\S+)/g)].map((match) => [match[1], match[2]]);
      const inRoot = (path: string): string => `/lib/modules/${kernel.version}/${path}`;
      expect(loaded).toEqual([
        ['llc', inRoot('kernel/net/llc/llc.ko')],
        ['mrp', inRoot('kernel/net/802/mrp.ko')],
        ['stp', inRoot('kernel/net/802/stp.ko')],
        ['garp', inRoot('kernel/net/802/garp.ko')],
        ['8021q', inRoot('kernel/net/8021q/8021q.ko')],
      ]);
      expect(rootTree).toBe(join(guestRoot, 'lib/modules', kernel.version));
    },
    2 * bootTimeoutMs,
  );
});
