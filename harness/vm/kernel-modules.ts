// Copies kernel modules and their modules.dep dependencies from a cached kernel into an initramfs tree.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadOrder, parseModulesBuiltin, parseModulesDep } from '../../src/modules/modules-dep';
import type { KernelEnv } from './kernel-env';
import { TestBedError } from './test-bed-error';

/**
 * Resolves `names` with their dependencies (dependencies first), skipping what the kernel has built in (virtio_pci on
 * 6.12), copies each module flat into `destDir` as a plain .ko (Debian 13 ships .ko.xz; busybox insmod takes .ko), and
 * returns the file names in load order, ready for a line of `insmod`s.
 */
export function copyModules(kernel: KernelEnv, names: readonly string[], destDir: string): string[] {
  const deps = parseModulesDep(readFileSync(join(kernel.modules, 'modules.dep'), 'utf8'));
  const builtinFile = join(kernel.modules, 'modules.builtin');
  const builtin = existsSync(builtinFile) ? parseModulesBuiltin(readFileSync(builtinFile, 'utf8')) : new Set<string>();
  const { paths } = loadOrder(names, deps, { builtin });
  mkdirSync(destDir, { recursive: true });
  return paths.map((path) => {
    const source = join(kernel.modules, path);
    if (path.endsWith('.ko')) {
      copyFileSync(source, join(destDir, basename(path)));
      return basename(path);
    }
    if (!path.endsWith('.ko.xz')) throw new TestBedError(`${source}: only .ko and .ko.xz modules are copied here`);
    const name = basename(path).slice(0, -'.xz'.length);
    writeFileSync(join(destDir, name), execFileSync('xz', ['-dc', source], { maxBuffer: 1 << 28 }));
    return name;
  });
}
