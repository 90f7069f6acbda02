// Modules compressed every way a distribution ships them (.ko.gz, .ko.xz, .ko.zst, .ko) load in dependency order from
// a real Debian kernel's modules, each through the path that kernel allows: the kernel's own decompressor
// (finit_module with MODULE_INIT_COMPRESSED_FILE) or bootstrap's in user space, as the boot's debug log says.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrder, moduleName, parseModulesBuiltin, parseModulesDep, type ModulesDep } from '../../src/modules/modules-dep';
import { bootGuest, buildGuestRoot, builtInTestModules, guestInitPattern, packBootstrap, panicPattern, readKernelEnv, recordTranscript, removeTempDirs, saveTranscripts, stopAll, tempDir, waitForExit, withoutKernelLines, type KernelEnv, type TestKernel } from '../../harness/vm';

const bootTimeoutMs = 60_000;

type Compression = 'xz' | 'gzip' | 'zstd';

// One compression per module, in turn, so every kind is loaded at least once.
const compressors = [
  { suffix: '.ko.xz', compression: 'xz', command: ['xz', '--check=crc32', '-T1', '-c'] },
  { suffix: '.ko.gz', compression: 'gzip', command: ['gzip', '-n', '-c'] },
  { suffix: '.ko.zst', compression: 'zstd', command: ['zstd', '-q', '-c'] },
  { suffix: '.ko', compression: undefined, command: [] },
] as const;

/** What each kernel does with the modules these tests ask for. */
interface KernelFacts {
  /** Modules for a virtiofs root plus, where the kernel has those built in, enough others to load every compression. */
  names: string[];
  /** What the boot then loads, in order. */
  loads: string[];
  /** Who decompresses each format (kernel/module/decompress.c decompresses the one it was built for). */
  decompressedBy: Record<Compression, 'the kernel' | 'user space'>;
  /** The debug lines by which the boot says what it found out, each expected once. */
  detections: string[];
  /**
   * The fewest loads the trace must show in the kernel at one time. A load whose compression the kernel's answer is
   * not yet known for waits until the load asking it has its answer, so only trees where a plain .ko (or a known
   * format) is ready beside such a probe show two.
   */
  leastAtOnce: number;
}

const kernelFacts: Record<TestKernel, KernelFacts> = {
  // Debian 12: virtio and fuse are modules; CONFIG_MODULE_DECOMPRESS is not set, so the flag fails with EOPNOTSUPP.
  '6.1': {
    names: ['virtio-pci', 'virtiofs'],
    loads: ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'fuse', 'virtiofs'],
    decompressedBy: { xz: 'user space', gzip: 'user space', zstd: 'user space' },
    detections: ['modules: the kernel cannot decompress modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EOPNOTSUPP, built without CONFIG_MODULE_DECOMPRESS)'],
    // virtio_pci_legacy_dev (.ko) needs nothing and loads while virtio_ring (.ko.xz) asks the kernel about xz.
    leastAtOnce: 2,
  },
  // Debian 13: virtio_pci, fuse and virtiofs are built in, so 8021q and its dependencies stand in; the kernel
  // decompresses xz (CONFIG_MODULE_COMPRESS_XZ) and answers gzip and zstd with EINVAL.
  '6.12': {
    names: ['virtio-pci', 'virtiofs', '8021q'],
    loads: ['llc', 'mrp', 'stp', 'garp', '8021q'],
    decompressedBy: { xz: 'the kernel', gzip: 'user space', zstd: 'user space' },
    detections: [
      'modules: the kernel decompresses xz modules itself (finit_module with MODULE_INIT_COMPRESSED_FILE)',
      'modules: the kernel does not take gzip modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EINVAL',
      'modules: the kernel does not take zstd modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EINVAL',
    ],
    // llc (.ko.xz) and mrp (.ko.gz) need nothing, but each asks about its own format in turn; the rest need llc or more.
    leastAtOnce: 1,
  },
};

interface Tree {
  deps: ModulesDep;
  builtin: ReadonlySet<string>;
}

function readTree(kernel: KernelEnv): Tree {
  const deps = parseModulesDep(readFileSync(join(kernel.modules, 'modules.dep'), 'utf8'));
  return { deps, builtin: parseModulesBuiltin(readFileSync(join(kernel.modules, 'modules.builtin'), 'utf8')) };
}

/** The uncompressed image of a module of the cached kernel (Debian 13 ships .ko.xz). */
function plainModule(kernel: KernelEnv, path: string): Buffer {
  const file = join(kernel.modules, path);
  return path.endsWith('.ko.xz') ? execFileSync('xz', ['-dc', file], { maxBuffer: 1 << 28 }) : readFileSync(file);
}

// modules.builtin and modules.builtin.modinfo as the kernel's tree has them (the second only on newer kernels).
function copyBuiltinLists(kernel: KernelEnv, tree: string): void {
  for (const name of ['modules.builtin', 'modules.builtin.modinfo']) {
    if (existsSync(join(kernel.modules, name))) copyFileSync(join(kernel.modules, name), join(tree, name));
  }
}

/** A modules/KVER tree holding the modules `names` need (built-in ones left out), each compressed in turn, with a matching modules.dep. */
function compressedTree(kernel: KernelEnv, names: string[], into: string): { tree: string; suffixes: Map<string, string> } {
  const tree = join(into, kernel.version);
  const { deps, builtin } = readTree(kernel);
  const paths = loadOrder(names, deps, { builtin }).paths;
  const renamed = new Map<string, string>();
  const suffixes = new Map<string, string>();
  mkdirSync(tree, { recursive: true });
  for (const [index, path] of paths.entries()) {
    const compressor = compressors[index % compressors.length]!;
    const target = path.replace(/\.ko(\.xz)?$/, compressor.suffix);
    mkdirSync(dirname(join(tree, target)), { recursive: true });
    const plain = plainModule(kernel, path);
    const [command, ...args] = compressor.command;
    writeFileSync(join(tree, target), command === undefined ? plain : execFileSync(command, args, { input: plain, maxBuffer: 1 << 28 }));
    renamed.set(path, target);
    suffixes.set(target.slice(target.lastIndexOf('/') + 1).replace(/\.ko.*$/, ''), compressor.suffix);
  }
  const lines = paths.map((path) => `${renamed.get(path)}: ${(deps.get(path) ?? []).map((dep) => renamed.get(dep)).join(' ')}`.trimEnd());
  writeFileSync(join(tree, 'modules.dep'), lines.length ? `${lines.join('\n')}\n` : '');
  copyBuiltinLists(kernel, tree);
  return { tree, suffixes };
}

/** A modules/KVER tree with the modules `names` need as the kernel's package has them (.ko on 6.1, .ko.xz on 6.12), and their modules.dep. */
function packageTree(kernel: KernelEnv, names: string[], into: string): { tree: string; paths: string[] } {
  const tree = join(into, kernel.version);
  const { deps, builtin } = readTree(kernel);
  const paths = loadOrder(names, deps, { builtin }).paths;
  for (const path of paths) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    copyFileSync(join(kernel.modules, path), join(tree, path));
  }
  writeFileSync(join(tree, 'modules.dep'), paths.map((path) => `${path}: ${(deps.get(path) ?? []).join(' ')}`.trimEnd()).join('\n') + '\n');
  copyBuiltinLists(kernel, tree);
  return { tree, paths };
}

/** `[name, path]` of every module the boot loaded, from its `load module` (preSwitch) or `loaded module` (postSwitch) lines. */
function loadedModules(console: string, verb: 'load' | 'loaded'): [string, string][] {
  return [...console.matchAll(new RegExp(`bootstrap: ${verb} module (\\S+) from (\\S+)`, 'g'))].map((match) => [match[1]!, match[2]!]);
}

/** Checks that every module's line comes after the lines of the modules it depends on in `deps` (loads may run at once). */
function expectDependenciesFirst(names: readonly string[], deps: ModulesDep): void {
  const dependencies = new Map([...deps].map(([path, list]) => [moduleName(path), list.map(moduleName)]));
  for (const [index, name] of names.entries()) {
    for (const dependency of dependencies.get(name) ?? []) {
      const at = names.indexOf(dependency);
      if (at >= 0) expect(at, `${dependency} loaded before ${name}: ${names.join(', ')}`).toBeLessThan(index);
    }
  }
}

/** The most module loads (finit_module, init_module) the trace shows in the kernel at one time. */
function mostLoadsAtOnce(log: string): number {
  let running = 0;
  let most = 0;
  for (const [, arrow] of log.matchAll(/bootstrap: trace: sys (→|←) (?:finitModule|initModule)[ (]/g)) {
    running += arrow === '→' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

const compressionOf = (path: string): Compression | undefined => compressors.find((each) => path.endsWith(each.suffix))?.compression;

// Every compressed module names the path it took, as the facts of this kernel say it must.
function expectDecompressionLines(console: string, loaded: readonly [string, string][], facts: KernelFacts): void {
  for (const [, path] of loaded) {
    const compression = compressionOf(path);
    if (compression === undefined) continue;
    const by = facts.decompressedBy[compression];
    expect(console).toContain(`bootstrap: debug: module ${path}: ${compression}, decompressed ${by === 'the kernel' ? 'by the kernel' : 'in user space'}\n`);
  }
}

describe('compressed modules', () => {
  let kernel: KernelEnv;
  let facts: KernelFacts;
  let work: string;
  let guestRoot: string;

  beforeAll(() => {
    kernel = readKernelEnv();
    facts = kernelFacts[kernel.kernel];
    work = tempDir('boot-modules');
    guestRoot = buildGuestRoot(join(work, 'guest-root'));
  });
  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it(
    'loads .ko, .ko.gz, .ko.xz and .ko.zst modules on two CPUs, each after its dependencies and several at once where the tree allows, each decompressed where the kernel allows, and reaches a virtiofs root',
    async () => {
      const { tree, suffixes } = compressedTree(kernel, facts.names, join(work, 'modules'));
      expect(new Set(suffixes.values())).toEqual(new Set(['.ko', '.ko.gz', '.ko.xz', '.ko.zst']));
      // trace: every finit_module and init_module call is logged as it starts and as it ends.
      const config = `logLevel: trace
emergency: {action: poweroff}
preSwitch:
  modules: {names: [${facts.names.join(', ')}]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;
      const initrd = packBootstrap({ work, output: join(work, 'initrd'), kernel: { ...kernel, modules: tree }, config });
      const guest = recordTranscript('modules-compressed', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs, cpus: 2 }));
      await guest.waitFor(guestInitPattern, bootTimeoutMs);
      await waitForExit(guest, bootTimeoutMs);
      const console = guest.console();
      expect(console).not.toMatch(panicPattern);
      expect(console).toContain(`Linux version ${kernel.version} `);
      // The harness's list of built-in modules is this kernel's own.
      const builtin = parseModulesBuiltin(readFileSync(join(kernel.modules, 'modules.builtin'), 'utf8'));
      for (const name of builtInTestModules[kernel.kernel]) expect(builtin.has(name), `${name} built in`).toBe(true);
      for (const name of facts.loads) expect(builtin.has(name), `${name} built in`).toBe(false);
      const log = withoutKernelLines(console);
      const loaded = loadedModules(log, 'load');
      // Lines come as loads end: each after its dependencies', in whatever order loads that need nothing of each other ended.
      expect(loaded.map(([name]) => name).sort()).toEqual([...facts.loads].sort());
      expectDependenciesFirst(loaded.map(([name]) => name), parseModulesDep(readFileSync(join(tree, 'modules.dep'), 'utf8')));
      // Two CPUs: two loads at a time, each on a thread of libuv's pool (other boots here have one CPU: one at a time, in PID 1's thread).
      expect(log).toContain(`bootstrap: debug: loading ${facts.loads.length} modules, up to 2 at a time, each once the modules it needs are loaded\n`);
      expect(mostLoadsAtOnce(log)).toBeGreaterThanOrEqual(facts.leastAtOnce);
      for (const [name, path] of loaded) expect(path.slice(path.lastIndexOf('/') + 1)).toBe(`${name}${suffixes.get(name)}`);
      expectDecompressionLines(log, loaded, facts);
      for (const detection of facts.detections) expect(log.split(detection).length - 1, detection).toBe(1);
      // The initramfs was freed: its files (the 112 MiB /init among them) are tmpfs or ramfs pages until deleted.
      const left = [...log.matchAll(/guest-root: meminfo (?:Shmem|Unevictable): (\d+) kB/g)].map((match) => Number(match[1]));
      expect(left).toHaveLength(2);
      expect(left.reduce((sum, kB) => sum + kB, 0)).toBeLessThan(16 * 1024);
      // The image was packed by the executable it holds: the config and the plan came ready, and matched this kernel.
      expect(log).toContain('bootstrap: debug: config /etc/bootstrap/bootstrap.yaml: as bootstrap pack validated it (/etc/bootstrap/prepared.json)\n');
      expect(log).toContain(`bootstrap: debug: plan: as bootstrap pack made it for ${kernel.version} (/etc/bootstrap/prepared.json)\n`);
      // And the FFI addon came from the image, not unpacked from /init; V8's compilers were off for the boot.
      expect(log).toMatch(/bootstrap: debug: FFI addon: from \/lib\/bootstrap\/koffi-[0-9a-f]{16}\.node\n/);
      expect(log).toContain('bootstrap: debug: V8 interprets the boot (its compilers return at the handoff)\n');
    },
    2 * bootTimeoutMs,
  );

  it(
    "loads postSwitch modules from the real root's module tree where its distribution puts it: one the initramfs does not have, with its dependencies",
    async () => {
      const { tree } = compressedTree(kernel, ['virtio_pci', 'virtiofs'], join(work, 'initramfs-modules'));
      // Debian 13 has its modules under /usr/lib/modules only (the busybox root has no /lib); Debian 12 under /lib/modules.
      const rootModules = kernel.modules.includes('/usr/lib/modules/') ? 'usr/lib/modules' : 'lib/modules';
      // 8021q and what it needs (garp, mrp, stp, llc) exist only in the guest's module tree.
      const root = packageTree(kernel, ['8021q'], join(guestRoot, rootModules));
      expect(readFileSync(join(tree, 'modules.dep'), 'utf8')).not.toContain('8021q');
      const config = `logLevel: debug
emergency: {action: poweroff}
preSwitch:
  modules: {names: [virtio-pci, virtiofs]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  modules:
    names: [8021q, fuse]
    parameters: {fuse: max_user_bgreq=77}
  handoff: {mode: exec, program: /sbin/init}
`;
      const initrd = packBootstrap({ work: join(work, 'post-switch'), output: join(work, 'post-switch-initrd'), kernel: { ...kernel, modules: tree }, config });
      const guest = recordTranscript('modules-post-switch', await bootGuest({ initrd, root: { kind: 'virtiofs', dir: guestRoot }, timeoutMs: bootTimeoutMs }));
      await guest.waitFor(guestInitPattern, bootTimeoutMs);
      await waitForExit(guest, bootTimeoutMs);
      const console = guest.console();
      expect(console).not.toMatch(panicPattern);
      const log = withoutKernelLines(console);
      // One CPU: the initramfs's modules load one after another in PID 1's thread (6.12 has them built in).
      if (!builtInTestModules[kernel.kernel].includes('virtio_pci')) expect(log).toMatch(/bootstrap: debug: loading \d+ modules one after another \(one CPU: their kernel work would only interleave\)\n/);
      const loaded = loadedModules(log, 'loaded');
      const inRoot = (path: string): string => `/${rootModules}/${kernel.version}/${path}`;
      const byName = new Map(root.paths.map((path) => [path.slice(path.lastIndexOf('/') + 1).replace(/\.ko.*$/, ''), path]));
      const expected = ['llc', 'mrp', 'stp', 'garp', '8021q'];
      expect([...loaded].sort()).toEqual(expected.sort().map((name) => [name, inRoot(byName.get(name) ?? `<${name} not in the tree>`)]));
      expectDependenciesFirst(loaded.map(([name]) => name), parseModulesDep(readFileSync(join(guestRoot, rootModules, kernel.version, 'modules.dep'), 'utf8')));
      expectDecompressionLines(log, loaded, facts);
      // On 6.1 fuse came in with virtiofs before the switch (already loaded); on 6.12 it is built in, and its parameters are lost.
      const lost = 'bootstrap: warn: module fuse is built into this kernel, so its parameters (max_user_bgreq=77) cannot be applied by loading it; put fuse.max_user_bgreq=77 on the kernel command line\n';
      if (builtInTestModules[kernel.kernel].includes('fuse')) expect(log).toContain(lost);
      else expect(log).not.toContain(lost);
    },
    2 * bootTimeoutMs,
  );
});
