// The module file loader against fake kernels: which one decompresses what is found out by trying
// finit_module(MODULE_INIT_COMPRESSED_FILE) and told apart by the errno, then remembered for the rest of the boot.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:os';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createModuleFileLoader, type ModuleFileContext } from '../../src/exec/module-file-loader';
import { createLogger } from '../../src/log/log';
import type { ModuleCompression, XzDecoder } from '../../src/modules/decompress';
import { SysError, type FinitModuleSpec, type ModuleLoadResult } from '../../src/sys/index';
import { MODULE_INIT_COMPRESSED_FILE } from '../../src/sys/module';

// An ELF-looking module image, and each file a distribution may ship of it.
const image = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(4096, 'module body ')]);
const files = new Map<string, Buffer>([
  ['/m/plain.ko', image],
  ['/m/a.ko.xz', execFileSync('xz', ['--check=crc32', '-c'], { input: image })],
  ['/m/b.ko.xz', execFileSync('xz', ['--check=crc32', '-c'], { input: image })],
  ['/m/c.ko.gz', gzipSync(image)],
  ['/m/d.ko.gz', gzipSync(image)],
  ['/m/e.ko.zst', zstdCompressSync(image)],
  ['/m/broken.ko.gz', Buffer.from('not gzip at all')],
]);
const readFile = (path: string): Uint8Array => {
  const bytes = files.get(path);
  if (bytes === undefined) throw new Error(`no fixture ${path}`);
  return bytes;
};
const cliXz: XzDecoder = { decompress: (bytes) => Promise.resolve(new Uint8Array(execFileSync('xz', ['-dc'], { input: bytes }))) };

/** How a fake kernel treats MODULE_INIT_COMPRESSED_FILE, as kernel/module/main.c and decompress.c do. */
type KernelModel =
  | { kind: 'no-decompress' } // CONFIG_MODULE_DECOMPRESS unset: -EOPNOTSUPP
  | { kind: 'decompresses'; format: ModuleCompression } // one format; another one: -EINVAL
  | { kind: 'before-5.17' }; // the flag is unknown: -EINVAL

const suffixFormat = (path: string): ModuleCompression => (path.endsWith('.xz') ? 'xz' : path.endsWith('.gz') ? 'gzip' : path.endsWith('.zst') ? 'zstd' : 'none');

function fakeKernel(model: KernelModel, failing: ReadonlyMap<string, number> = new Map()): { context: ModuleFileContext; calls: string[]; log: string[] } {
  const calls: string[] = [];
  const log: string[] = [];
  const fail = (syscall: string, errno: number, args: Record<string, unknown>): never => {
    throw new SysError({ syscall, errno, args });
  };
  const finitModule = async (spec: FinitModuleSpec): Promise<ModuleLoadResult> => {
    await Promise.resolve();
    const path = spec.path ?? '?';
    const compressed = ((spec.flags ?? 0) & MODULE_INIT_COMPRESSED_FILE) !== 0;
    calls.push(`finit ${path}${compressed ? ' COMPRESSED' : ''}`);
    const args = { path, flags: spec.flags ?? 0 };
    if (compressed) {
      if (model.kind === 'no-decompress') fail('finit_module', constants.errno.EOPNOTSUPP, args);
      if (model.kind === 'before-5.17') fail('finit_module', constants.errno.EINVAL, args);
      if (model.kind === 'decompresses' && model.format !== suffixFormat(path)) fail('finit_module', constants.errno.EINVAL, args);
    }
    const errno = failing.get(path);
    if (errno !== undefined) fail('finit_module', errno, args);
    return 'loaded';
  };
  const initModule = async (bytes: Uint8Array, params = ''): Promise<ModuleLoadResult> => {
    await Promise.resolve();
    calls.push(`init <${Buffer.from(bytes).equals(image) ? 'image' : 'other bytes'}>${params ? ` ${params}` : ''}`);
    return 'loaded';
  };
  return { context: { sys: { finitModule, initModule }, log: createLogger({ write: (line) => (log.push(line.replace(/^\[[ \d.]+\] /, '')), true) }, 'debug') }, calls, log };
}

const newLoader = () => createModuleFileLoader({ readFile, xzDecoder: () => Promise.resolve(cliXz) });

describe('module file loader', () => {
  it('loads a plain .ko with finit_module and no flags, and learns nothing from it', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'no-decompress' });
    expect(await loader.load('/m/plain.ko', 'x=1', kernel.context)).toBe('loaded');
    expect(kernel.calls).toEqual(['finit /m/plain.ko']);
    expect(loader.known().size).toBe(0);
  });

  it('on EOPNOTSUPP (no CONFIG_MODULE_DECOMPRESS) decompresses in user space, and never asks the kernel again for any format', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'no-decompress' });
    await loader.load('/m/a.ko.xz', 'debug=1', kernel.context);
    await loader.load('/m/b.ko.xz', '', kernel.context);
    await loader.load('/m/c.ko.gz', '', kernel.context);
    await loader.load('/m/e.ko.zst', '', kernel.context);
    expect(kernel.calls).toEqual(['finit /m/a.ko.xz COMPRESSED', 'init <image> debug=1', 'init <image>', 'init <image>', 'init <image>']);
    expect(Object.fromEntries(loader.known())).toEqual({ gzip: 'user space', xz: 'user space', zstd: 'user space' });
    expect(kernel.log.filter((line) => line.includes('cannot decompress modules'))).toEqual([
      'bootstrap: debug: modules: the kernel cannot decompress modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EOPNOTSUPP, built without CONFIG_MODULE_DECOMPRESS); decompressing in user space for the rest of the boot\n',
    ]);
    expect(kernel.log).toContain('bootstrap: debug: module /m/a.ko.xz: xz, decompressed in user space\n');
  });

  it('hands the format the kernel decompresses to the kernel, and decompresses another (EINVAL) in user space, each decided once', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'decompresses', format: 'xz' });
    await loader.load('/m/a.ko.xz', '', kernel.context);
    await loader.load('/m/c.ko.gz', '', kernel.context);
    await loader.load('/m/b.ko.xz', '', kernel.context);
    await loader.load('/m/d.ko.gz', '', kernel.context);
    expect(kernel.calls).toEqual(['finit /m/a.ko.xz COMPRESSED', 'finit /m/c.ko.gz COMPRESSED', 'init <image>', 'finit /m/b.ko.xz COMPRESSED', 'init <image>']);
    expect(Object.fromEntries(loader.known())).toEqual({ xz: 'kernel', gzip: 'user space' });
    expect(kernel.log).toContain('bootstrap: debug: modules: the kernel decompresses xz modules itself (finit_module with MODULE_INIT_COMPRESSED_FILE); using it for the rest of the boot\n');
    expect(kernel.log).toContain('bootstrap: debug: module /m/b.ko.xz: xz, decompressed by the kernel\n');
    expect(kernel.log.filter((line) => line.includes('does not take gzip'))).toHaveLength(1);
  });

  it('treats a kernel that predates the flag (EINVAL for every format) like one that decompresses none of them', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'before-5.17' });
    await loader.load('/m/e.ko.zst', '', kernel.context);
    await loader.load('/m/a.ko.xz', '', kernel.context);
    expect(kernel.calls).toEqual(['finit /m/e.ko.zst COMPRESSED', 'init <image>', 'finit /m/a.ko.xz COMPRESSED', 'init <image>']);
    expect(Object.fromEntries(loader.known())).toEqual({ zstd: 'user space', xz: 'user space' });
  });

  it('throws the user-space error when the fallback after EINVAL fails too, and remembers nothing from it', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'decompresses', format: 'xz' });
    await expect(loader.load('/m/broken.ko.gz', '', kernel.context)).rejects.toThrow(/^\/m\/broken\.ko\.gz: cannot decompress \(gzip\)/);
    expect(loader.known().size).toBe(0);
  });

  it('throws any other errno as the module failure it is, without a user-space retry', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'decompresses', format: 'xz' }, new Map([['/m/b.ko.xz', constants.errno.ENOENT]]));
    await loader.load('/m/a.ko.xz', '', kernel.context);
    await expect(loader.load('/m/b.ko.xz', '', kernel.context)).rejects.toThrow(/^finit_module\(path="\/m\/b\.ko\.xz", flags=4\): ENOENT/);
    expect(kernel.calls).toEqual(['finit /m/a.ko.xz COMPRESSED', 'finit /m/b.ko.xz COMPRESSED']);
  });

  it('after the kernel has decompressed a format, an EINVAL for it is the module\'s own failure, not a reason to switch', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'decompresses', format: 'xz' }, new Map([['/m/b.ko.xz', constants.errno.EINVAL]]));
    await loader.load('/m/a.ko.xz', '', kernel.context);
    await expect(loader.load('/m/b.ko.xz', '', kernel.context)).rejects.toBeInstanceOf(SysError);
    expect(kernel.calls).toEqual(['finit /m/a.ko.xz COMPRESSED', 'finit /m/b.ko.xz COMPRESSED']);
    expect(Object.fromEntries(loader.known())).toEqual({ xz: 'kernel' });
  });

  it('loads started at the same time wait for the first of their compression to find out who decompresses it', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'no-decompress' });
    const results = await Promise.all(['/m/a.ko.xz', '/m/b.ko.xz', '/m/c.ko.gz'].map((path) => loader.load(path, '', kernel.context)));
    expect(results).toEqual(['loaded', 'loaded', 'loaded']);
    // One try with the flag (EOPNOTSUPP answers for every format); the other two went straight to user space.
    expect(kernel.calls.filter((call) => call.endsWith('COMPRESSED'))).toEqual(['finit /m/a.ko.xz COMPRESSED']);
    expect(kernel.calls.filter((call) => call.startsWith('init'))).toHaveLength(3);
    expect(kernel.log.filter((line) => line.includes('cannot decompress modules'))).toHaveLength(1);
  });

  it('a load waiting on a probe that failed for its own module asks the kernel itself', async () => {
    const loader = newLoader();
    const kernel = fakeKernel({ kind: 'decompresses', format: 'xz' }, new Map([['/m/a.ko.xz', constants.errno.ENOENT]]));
    const [first, second] = await Promise.allSettled([loader.load('/m/a.ko.xz', '', kernel.context), loader.load('/m/b.ko.xz', '', kernel.context)]);
    expect(first.status).toBe('rejected');
    expect(second).toEqual({ status: 'fulfilled', value: 'loaded' });
    expect(kernel.calls).toEqual(['finit /m/a.ko.xz COMPRESSED', 'finit /m/b.ko.xz COMPRESSED']);
    expect(Object.fromEntries(loader.known())).toEqual({ xz: 'kernel' });
  });
});
