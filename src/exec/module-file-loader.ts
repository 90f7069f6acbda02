// Loads one module file into the kernel. A compressed one goes to finit_module with MODULE_INIT_COMPRESSED_FILE
// where the kernel decompresses it itself, and is decompressed in user space where it cannot; which of the two is
// found out by trying, once per compression, and remembered for the rest of the boot.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { moduleCompression, moduleImage, webStreamXzDecoder, type ModuleCompression, type XzDecoder } from '../modules/decompress';
import { SysError, type ModuleLoadResult, type Sys } from '../sys/index';
import { MODULE_INIT_COMPRESSED_FILE } from '../sys/module';
import type { Logger } from '../log/log';

/** Who decompresses a module file: the kernel (finit_module with MODULE_INIT_COMPRESSED_FILE) or bootstrap. */
export type DecompressionPath = 'kernel' | 'user space';

/** What a load needs from the running boot. */
export interface ModuleFileContext {
  sys: Pick<Sys, 'finitModule' | 'initModule'>;
  log: Logger;
}

/** Loads module files for the rest of a boot, remembering what the kernel can decompress. */
export interface ModuleFileLoader {
  load(path: string, parameters: string, context: ModuleFileContext): Promise<ModuleLoadResult>;
  /** What is known so far, by compression (for tests and the debug log). */
  known(): ReadonlyMap<ModuleCompression, DecompressionPath>;
}

/** Injected I/O, so tests need neither module files nor the WebAssembly decoder. */
export interface ModuleFileLoaderOptions {
  readFile?: (path: string) => Uint8Array;
  xzDecoder?: () => Promise<XzDecoder>;
}

const compressions: readonly ModuleCompression[] = ['gzip', 'xz', 'zstd'];

// kernel/module/internal.h: without CONFIG_MODULE_DECOMPRESS, module_decompress() is a stub returning -EOPNOTSUPP,
// so finit_module(fd, params, MODULE_INIT_COMPRESSED_FILE) fails with it for every file (Debian 12's 6.1).
const noDecompressor = constants.errno.EOPNOTSUPP;
// kernel/module/decompress.c decompresses the one format the kernel was built for (CONFIG_MODULE_COMPRESS_XZ on
// Debian 13's 6.12) and answers another with -EINVAL ("not a gzip compressed module"); a kernel older than 5.17 has
// no MODULE_INIT_COMPRESSED_FILE and rejects the flag with -EINVAL in finit_module's flag check (kernel/module/main.c).
const notThisFormat = constants.errno.EINVAL;

/** A loader whose knowledge of the kernel starts empty; one per boot. */
export function createModuleFileLoader(options: ModuleFileLoaderOptions = {}): ModuleFileLoader {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path));
  const xzDecoder = options.xzDecoder ?? loadXzDecoder;
  const paths = new Map<ModuleCompression, DecompressionPath>();

  const inUserSpace = async (path: string, compression: ModuleCompression, parameters: string, context: ModuleFileContext): Promise<ModuleLoadResult> => {
    const image = await moduleImage(path, readFile(path), compression === 'xz' ? await xzDecoder() : undefined);
    const result = await context.sys.initModule(image, parameters);
    context.log.debug(`module ${path}: ${compression}, decompressed in user space`);
    return result;
  };

  // A load of a compression not yet known asks the kernel and learns the answer (EOPNOTSUPP answers for every format).
  // One such probe at a time: loads started meanwhile (loads run at the same time) wait for its answer instead of each
  // asking the kernel and each logging what it found.
  let probing: Promise<unknown> | undefined;

  const load = async (path: string, parameters: string, context: ModuleFileContext): Promise<ModuleLoadResult> => {
    const compression = moduleCompression(path);
    if (compression === undefined || compression === 'none') return context.sys.finitModule({ path, params: parameters });
    // Each turn waits for a probe that ends with its system call; one that failed for its own module answered nothing.
    while (!paths.has(compression) && probing !== undefined) await probing.catch(() => undefined);
    if (paths.has(compression)) return loadKnowing(path, compression, parameters, context);
    const probe = loadKnowing(path, compression, parameters, context);
    probing = probe;
    try {
      return await probe;
    } finally {
      if (probing === probe) probing = undefined;
    }
  };

  const loadKnowing = async (path: string, compression: ModuleCompression, parameters: string, context: ModuleFileContext): Promise<ModuleLoadResult> => {
    const known = paths.get(compression);
    if (known === 'user space') return inUserSpace(path, compression, parameters, context);
    let result: ModuleLoadResult;
    try {
      result = await context.sys.finitModule({ path, params: parameters, flags: MODULE_INIT_COMPRESSED_FILE });
    } catch (error) {
      // Once the kernel has decompressed this format, any failure is the file's or the module's own.
      if (known === 'kernel' || !(error instanceof SysError)) throw error;
      if (error.errno === noDecompressor) {
        for (const each of compressions) paths.set(each, 'user space');
        context.log.debug(
          'modules: the kernel cannot decompress modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EOPNOTSUPP, built without CONFIG_MODULE_DECOMPRESS); decompressing in user space for the rest of the boot',
        );
        return inUserSpace(path, compression, parameters, context);
      }
      if (error.errno === notThisFormat) {
        // EINVAL may also be the module's own failure: user space then fails the same way, and that error is thrown.
        const fallback = await inUserSpace(path, compression, parameters, context);
        paths.set(compression, 'user space');
        context.log.debug(
          `modules: the kernel does not take ${compression} modules (finit_module with MODULE_INIT_COMPRESSED_FILE: EINVAL; it decompresses another format or predates the flag); decompressing ${compression} in user space for the rest of the boot`,
        );
        return fallback;
      }
      throw error;
    }
    if (known === undefined) {
      paths.set(compression, 'kernel');
      context.log.debug(`modules: the kernel decompresses ${compression} modules itself (finit_module with MODULE_INIT_COMPRESSED_FILE); using it for the rest of the boot`);
    }
    context.log.debug(`module ${path}: ${compression}, decompressed by the kernel`);
    return result;
  };

  return { load, known: () => new Map(paths) };
}

let xz: XzDecoder | undefined;

// The WebAssembly xz decoder is loaded only for a .ko.xz the kernel cannot take: most boots never need it.
async function loadXzDecoder(): Promise<XzDecoder> {
  xz ??= webStreamXzDecoder((await import('xz-decompress')).XzReadableStream);
  return xz;
}
