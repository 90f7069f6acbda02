// End to end: pack the real Node binary with a fake module tree, list and extract with GNU cpio, and run /init in a chroot (root).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModulesDep } from '../../src/modules/modules-dep';
import { type Compression, compressions } from '../../src/pack/compress';
import { PackError, type PackSpec, initramfsContents, packInitramfs } from '../../src/pack/initramfs';
import { listCpio } from './cpio-listing';
import { DEFAULT_CONFIG_PATH } from '../../src/config/default-path';
import { validateConfigText } from '../../src/config/validate-config';
import { isPreparedConfig, parsePreparedBoot } from '../../src/boot/prepared';
import { planWith, preparedSteps, PREPARED_BOOT_PATH, type PlanInputs } from '../../src/plan/prepared-boot';
import type { Step } from '../../src/plan/step';
import { versionAndBuild as version } from '../../src/version';

const node = 'node_modules/.bin/node';
const scratch = mkdtempSync(join(tmpdir(), 'initramfs-'));
const kernelVersion = '6.1.0-99-amd64';
const modulesFrom = join(scratch, 'lib/modules', kernelVersion);
const configText = 'logLevel: debug\nhandoff:\n  exec: [/sbin/init]\n';
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The libraries ldd reports for the Node binary: the reference the image must hold.
const lddLibraries = (): Map<string, string> => {
  const out = execFileSync('ldd', [node], { encoding: 'utf8' });
  return new Map([...out.matchAll(/^\s*(\S+) => (\S+) \(0x/gm)].map((m) => [m[1]!, m[2]!]));
};

const decompress = (image: Buffer, compression: Compression): Buffer => {
  if (compression === 'none') return image;
  const tool = compression === 'gzip' ? 'gzip' : 'zstd';
  return execFileSync(tool, ['-dc'], { input: image, maxBuffer: 1 << 30 });
};

beforeAll(() => {
  // A fake lib/modules/KVER tree with real Debian modules.dep text and ELF-headed module files.
  const depText = readFileSync(new URL('../unit/modules/fixtures/modules.dep', import.meta.url), 'utf8');
  mkdirSync(modulesFrom, { recursive: true });
  writeFileSync(join(modulesFrom, 'modules.dep'), depText);
  writeFileSync(join(modulesFrom, 'modules.builtin'), 'kernel/net/unix/unix.ko\n');
  for (const name of ['modules.alias', 'modules.softdep']) {
    writeFileSync(join(modulesFrom, name), readFileSync(new URL(`../unit/modules/fixtures/${name}`, import.meta.url)));
  }
  writeFileSync(join(modulesFrom, 'modules.order'), [...parseModulesDep(depText).keys()].join('\n'));
  for (const path of parseModulesDep(depText).keys()) {
    mkdirSync(dirname(join(modulesFrom, path)), { recursive: true });
    writeFileSync(join(modulesFrom, path), Buffer.concat([Buffer.from('\x7fELF'), Buffer.from(path)]));
  }
  // An extra tree for --add: a file, an executable, a symlink and a nested directory.
  const extra = join(scratch, 'extra');
  mkdirSync(join(extra, 'sub/deeper'), { recursive: true });
  writeFileSync(join(extra, 'hello.txt'), 'hello\n');
  writeFileSync(join(extra, 'sub/run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(extra, 'sub/run.sh'), 0o750);
  symlinkSync('sub/run.sh', join(extra, 'link'));
  writeFileSync(join(scratch, 'single'), 'one file\n');
});

const spec = (compress: Compression, more: Partial<PackSpec> = {}): PackSpec => ({
  binary: node,
  configText,
  modulesFrom,
  modules: ['virtiofs', '9p', 'unix'],
  add: [
    { src: join(scratch, 'extra'), dest: '/opt/extra' },
    { src: join(scratch, 'single'), dest: '/usr/share/single.txt' },
  ],
  compress,
  ...more,
});

const expectedModules = [
  'kernel/fs/fuse/fuse.ko',
  'kernel/drivers/virtio/virtio_ring.ko',
  'kernel/drivers/virtio/virtio.ko',
  'kernel/fs/fuse/virtiofs.ko',
  'kernel/fs/netfs/netfs.ko',
  'kernel/fs/fscache/fscache.ko',
  'kernel/net/9p/9pnet.ko',
  'kernel/fs/9p/9p.ko',
];

describe('packInitramfs with the real Node binary', () => {
  const images = new Map<Compression, Buffer>();

  it.each(compressions)('packs with compress=%s and GNU cpio lists every expected entry', async (compression) => {
    const started = performance.now();
    const { image } = await packInitramfs(spec(compression));
    const seconds = (performance.now() - started) / 1000;
    images.set(compression, image);
    // The figures the issue asks to report: image size and time per compression.
    console.log(`initramfs compress=${compression}: ${(image.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s`);
    const listing = listCpio(decompress(image, compression));

    expect(listing.get('init')).toMatchObject({ permissions: '-rwxr-xr-x', owner: 'root', size: readFileSync(node).length });
    expect(listing.get('dev/console')).toMatchObject({ permissions: 'crw-------', device: [5, 1] });
    const directories: Record<string, string> = {
      dev: 'drwxr-xr-x', proc: 'dr-xr-xr-x', sys: 'dr-xr-xr-x', run: 'drwxr-xr-x',
      tmp: 'drwxrwxrwt', root: 'drwx------', etc: 'drwxr-xr-x', 'etc/bootstrap': 'drwxr-xr-x',
    };
    for (const [name, permissions] of Object.entries(directories)) expect(listing.get(name)?.permissions, name).toBe(permissions);
    expect(listing.get('etc/bootstrap/bootstrap.yaml')).toMatchObject({ permissions: '-rw-r--r--', size: configText.length });

    expect(listing.get('lib64/ld-linux-x86-64.so.2')?.permissions).toBe('-rwxr-xr-x');
    for (const [name, path] of lddLibraries()) expect(listing.get(path.slice(1))?.permissions, name).toMatch(/^-/);

    const moduleDir = `lib/modules/${kernelVersion}`;
    const packedModules = [...listing.keys()].filter((name) => name.endsWith('.ko')).map((name) => name.slice(moduleDir.length + 1));
    expect(packedModules.sort()).toEqual([...expectedModules].sort());
    for (const name of ['modules.dep', 'modules.builtin', 'modules.order', 'modules.alias', 'modules.softdep']) expect(listing.has(`${moduleDir}/${name}`), name).toBe(true);

    expect(listing.get('opt/extra/hello.txt')?.size).toBe(6);
    expect(listing.get('opt/extra/sub/run.sh')?.permissions).toBe('-rwxr-x---');
    expect(listing.get('opt/extra/link')).toMatchObject({ permissions: 'lrwxrwxrwx', target: 'sub/run.sh' });
    expect(listing.get('opt/extra/sub/deeper')?.permissions).toMatch(/^d/);
    expect(listing.get('usr/share/single.txt')?.size).toBe(9);

    // Every directory comes before anything inside it, as the kernel's unpacker needs.
    const names = [...listing.keys()];
    names.forEach((name, index) => {
      const parent = dirname(name);
      if (parent !== '.') expect(names.indexOf(parent), name).toBeLessThan(index);
    });
  });

  it('gives the same bytes for the same input (reproducible)', async () => {
    const { image: again } = await packInitramfs(spec('gzip'));
    expect(again.equals(images.get('gzip')!)).toBe(true);
  });

  it('extracts to a root where /init runs in a chroot, so the libraries are complete', () => {
    const root = join(scratch, 'root');
    mkdirSync(root);
    execFileSync('cpio', ['-idm', '--quiet'], { input: decompress(images.get('zstd')!, 'zstd'), cwd: root, maxBuffer: 1 << 30 });
    const version = execFileSync('chroot', [root, '/init', '--version'], { encoding: 'utf8' }).trim();
    expect(version).toBe(execFileSync(node, ['--version'], { encoding: 'utf8' }).trim());
    // The code path that matters at boot: Node starting with only the image's files.
    const output = execFileSync('chroot', [root, '/init', '-e', 'console.log(require("fs").readFileSync("/etc/bootstrap/bootstrap.yaml", "utf8"))'], { encoding: 'utf8' });
    expect(output).toBe(`${configText}\n`);

    const dep = readFileSync(join(root, 'lib/modules', kernelVersion, 'modules.dep'), 'utf8');
    expect([...parseModulesDep(dep).keys()].sort()).toEqual([...expectedModules].sort());
    expect(parseModulesDep(dep).get('kernel/fs/fuse/virtiofs.ko')).toEqual([
      'kernel/drivers/virtio/virtio.ko', 'kernel/drivers/virtio/virtio_ring.ko', 'kernel/fs/fuse/fuse.ko',
    ]);
    expect(readFileSync(join(root, 'lib/modules', kernelVersion, 'kernel/fs/9p/9p.ko'), 'latin1')).toBe('\x7fELFkernel/fs/9p/9p.ko');
  });
});

describe('the prepared boot in the image', () => {
  const text = `preSwitch:
  modules: {names: [virtiofs, 9p]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;
  // The image's small files by absolute path, as PID 1 reads them.
  const packed = (more: Partial<PackSpec>): Map<string, string> => {
    const contents = initramfsContents({ binary: node, configText: text, modulesFrom, modules: ['virtiofs', '9p'], compress: 'none', ...more });
    const files = new Map<string, string>();
    for (const entry of contents.entries) if (entry.kind === 'file' && entry.data.length < 1 << 20) files.set(`/${entry.path}`, Buffer.from(entry.data).toString('utf8'));
    return files;
  };

  it('holds the config as validated and the plan the boot would make from the image it is in', () => {
    const files = packed({ prepareFor: version });
    const prepared = parsePreparedBoot(files.get(PREPARED_BOOT_PATH) ?? '', PREPARED_BOOT_PATH);
    if (typeof prepared === 'string') throw new Error(prepared);
    const config = validateConfigText(text).config!;
    expect(prepared.config).toEqual(config);
    expect(isPreparedConfig(prepared, Buffer.from(files.get(DEFAULT_CONFIG_PATH)!))).toBe(true);
    const inputs: PlanInputs = {
      kernelRelease: kernelVersion,
      builtin: files.get(`/lib/modules/${kernelVersion}/modules.builtin`),
      loaded: '',
      readFile: (path) => files.get(path),
    };
    const steps = preparedSteps(prepared.plan!, inputs);
    expect(steps).toEqual(planWith(config, inputs));
    const loads = (steps as Step[]).flatMap((step) => (step.kind === 'loadModule' ? [step.path] : []));
    expect(loads).toEqual(expectedModules.map((path) => `/lib/modules/${kernelVersion}/${path}`));
  });

  it('is left out for a binary other than the packing executable, and for a config that does not validate', () => {
    expect(packed({}).has(PREPARED_BOOT_PATH)).toBe(false);
    expect(packed({ prepareFor: version, configText: 'logLevel: loud\n' }).has(PREPARED_BOOT_PATH)).toBe(false);
  });
});

describe('initramfsContents errors', () => {
  const small = (more: Partial<PackSpec>): PackSpec => ({ binary: '/bin/true', configText: 'x: 1\n', compress: 'none', ...more });
  const failure = (run: () => unknown): PackError => {
    try {
      run();
    } catch (error) {
      if (error instanceof PackError) return error;
      throw error;
    }
    throw new Error('expected a PackError');
  };

  it('names a missing binary', () => {
    const error = failure(() => initramfsContents(small({ binary: join(scratch, 'no-such-binary') })));
    expect(error.reason).toBe('binary');
    expect(error.message).toBe(`the binary ${join(scratch, 'no-such-binary')} does not exist (or is not a regular file)`);
  });

  it('refuses a binary that is not ELF', () => {
    const error = failure(() => initramfsContents(small({ binary: join(scratch, 'single') })));
    expect(error).toMatchObject({ reason: 'libraries', message: expect.stringMatching(/not an ELF file/) as string });
  });

  it('reports which modules it packed and which the kernel has built in', () => {
    const contents = initramfsContents(small({ modulesFrom, modules: ['unix', 'virtio-blk'] }));
    expect(contents.modules).toEqual(['kernel/drivers/virtio/virtio_ring.ko', 'kernel/drivers/virtio/virtio.ko', 'kernel/drivers/block/virtio_blk.ko']);
    expect(contents.builtinModules).toEqual(['unix']);
    expect(contents.kernelVersion).toBe(kernelVersion);
  });

  it('packs from a Debian 13 style tree: usr/lib/modules, .ko.xz files, and aliases of built-in modules from modules.builtin.modinfo', () => {
    // virtio_pci, fuse and virtiofs are built into Debian 13's 6.12; 9p and its dependencies are modules, compressed.
    const release = '6.12.99+deb13-amd64';
    const tree = join(scratch, 'usr/lib/modules', release);
    const dep = 'kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz\nkernel/net/9p/9pnet.ko.xz: kernel/fs/netfs/netfs.ko.xz\nkernel/fs/netfs/netfs.ko.xz:\n';
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'modules.dep'), dep);
    writeFileSync(join(tree, 'modules.builtin'), 'kernel/fs/fuse/fuse.ko\nkernel/fs/fuse/virtiofs.ko\nkernel/drivers/virtio/virtio_pci.ko\n');
    const modinfo = ['fuse.alias=fs-fuse', 'fuse.parmtype=max_user_bgreq:uint', 'virtiofs.alias=fs-virtiofs', 'virtiofs.license=GPL', 'virtio_pci.alias=pci:v00001AF4d*sv*sd*bc*sc*i*', ''].join('\0');
    writeFileSync(join(tree, 'modules.builtin.modinfo'), modinfo);
    for (const path of parseModulesDep(dep).keys()) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), Buffer.from(`xz data of ${path}`));
    }
    const contents = initramfsContents(small({ modulesFrom: tree, modules: ['fs-virtiofs', 'virtio-pci', '9p'] }));
    expect(contents.kernelVersion).toBe(release);
    expect(contents.builtinModules).toEqual(['virtiofs', 'virtio_pci']);
    expect(contents.modules).toEqual(['kernel/fs/netfs/netfs.ko.xz', 'kernel/net/9p/9pnet.ko.xz', 'kernel/fs/9p/9p.ko.xz']);
    const file = (name: string): Buffer | undefined => {
      const entry = contents.entries.find((e) => e.path === `lib/modules/${release}/${name}`);
      return entry?.kind === 'file' ? Buffer.from(entry.data) : undefined;
    };
    // The image has them where the boot looks (lib/modules), whatever the tree's own location.
    expect(file('modules.builtin.modinfo')?.toString()).toBe(modinfo);
    expect(file('kernel/fs/9p/9p.ko.xz')?.toString()).toBe('xz data of kernel/fs/9p/9p.ko.xz');
  });

  it('follows aliases and soft dependencies, and keeps only their packed lines', () => {
    const contents = initramfsContents(small({ modulesFrom, modules: ['fs-ext4'] }));
    expect(contents.modules.map((path) => path.split('/').pop())).toEqual(['crc32c-intel.ko', 'crc32c_generic.ko', 'jbd2.ko', 'mbcache.ko', 'crc16.ko', 'ext4.ko']);
    const text = (name: string): string => {
      const entry = contents.entries.find((e) => e.path === `lib/modules/${kernelVersion}/${name}`);
      return entry?.kind === 'file' ? Buffer.from(entry.data).toString() : '';
    };
    expect(text('modules.softdep')).toBe('softdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n');
    expect(text('modules.alias').split('\n').filter(Boolean).map((line) => line.split(' ')[2])).toEqual([
      'crc32c_intel', 'crc32c_intel', 'crc32c_intel', 'crc32c_intel', 'ext4', 'crc32c_generic', 'crc32c_generic', 'crc32c_generic', 'crc32c_generic',
    ]);
  });

  it('names an unknown module with a suggestion, and modules without a tree', () => {
    expect(failure(() => initramfsContents(small({ modulesFrom, modules: ['virtio_fs'] })))).toMatchObject({
      reason: 'modules',
      message: `${modulesFrom}: module virtio_fs is not in modules.dep; did you mean virtiofs?`,
    });
    expect(failure(() => initramfsContents(small({ modules: ['fuse'] }))).message).toMatch(/no modules directory \(--modules-from\)/);
    expect(failure(() => initramfsContents(small({ modulesFrom: scratch, modules: ['fuse'] }))).message).toMatch(/modules\.dep does not exist; is .* a lib\/modules\/KVER tree/);
  });

  it('names an unreadable or misplaced --add source', () => {
    const missing = join(scratch, 'nothing-here');
    expect(failure(() => initramfsContents(small({ add: [{ src: missing, dest: '/x' }] })))).toMatchObject({
      reason: 'add',
      message: `--add ${missing}: cannot read ${missing}: no such file or directory`,
    });
    expect(failure(() => initramfsContents(small({ add: [{ src: join(scratch, 'single'), dest: 'relative' }] }))).message).toMatch(/must be an absolute path/);
    expect(failure(() => initramfsContents(small({ add: [{ src: join(scratch, 'single'), dest: '/../x' }] }))).message).toMatch(/without "\.\."/);
  });

  it('refuses two files at one path, naming both origins', () => {
    const error = failure(() => initramfsContents(small({ add: [{ src: join(scratch, 'single'), dest: '/etc/bootstrap/bootstrap.yaml' }] })));
    expect(error).toMatchObject({ reason: 'conflict', message: `/etc/bootstrap/bootstrap.yaml comes from both the config and --add ${join(scratch, 'single')}` });
    const overDirectory = failure(() => initramfsContents(small({ add: [{ src: join(scratch, 'single'), dest: '/init/x' }] })));
    expect(overDirectory.message).toBe(`/init is a file from the binary /bin/true, but --add ${join(scratch, 'single')} needs it to be a directory`);
  });

  it('packs a small binary with its own closure and no module tree', () => {
    const contents = initramfsContents(small({}));
    expect(contents.kernelVersion).toBeUndefined();
    expect(contents.modules).toEqual([]);
    expect(contents.builtinModules).toEqual([]);
    expect(contents.libraries).toContain('/lib/x86_64-linux-gnu/libc.so.6');
    expect(contents.libraries[0]).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(contents.entries.some((entry) => entry.path.startsWith('lib/modules'))).toBe(false);
  });
});
