// Copies kernel modules and their modules.dep dependencies from the cached kernel into an initramfs tree.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadOrder, parseModulesDep } from '../../src/modules/modules-dep';
import type { KernelEnv } from './kernel-env';

/**
 * Resolves `names` with their dependencies (dependencies first), copies each .ko flat into `destDir`,
 * and returns the file names in load order, ready for a line of `insmod`s.
 */
export function copyModules(kernel: KernelEnv, names: readonly string[], destDir: string): string[] {
  const deps = parseModulesDep(readFileSync(join(kernel.modules, 'modules.dep'), 'utf8'));
  const { paths } = loadOrder(names, deps);
  mkdirSync(destDir, { recursive: true });
  return paths.map((path) => {
    copyFileSync(join(kernel.modules, path), join(destDir, basename(path)));
    return basename(path);
  });
}
