// Reads .cache/kernel/env, written by scripts/setup/kernel.sh, into the kernel the guests boot.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, setupScript } from '../paths';
import { TestBedError } from './test-bed-error';

/** The cached Debian kernel: its release, its bzImage, and its lib/modules/<release> directory. */
export interface KernelEnv {
  version: string;
  image: string;
  modules: string;
}

/** The default location of the env file. */
export const kernelEnvFile = join(cacheDir, 'kernel', 'env');

/** Parses the env file's `NAME=value` lines (no quoting: the script writes plain paths). */
export function parseKernelEnv(text: string, source = 'kernel env'): KernelEnv {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) throw new TestBedError(`${source}: expected NAME=value, got ${JSON.stringify(line)}`);
    values.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const get = (name: string): string => {
    const value = values.get(name);
    if (!value) throw new TestBedError(`${source}: ${name} is missing; run ${setupScript}`);
    return value;
  };
  return { version: get('KERNEL_VERSION'), image: get('KERNEL_IMAGE'), modules: get('KERNEL_MODULES') };
}

/** Reads and checks the cached kernel; throws a TestBedError naming the setup script when it is not there. */
export function readKernelEnv(file = kernelEnvFile): KernelEnv {
  if (!existsSync(file)) throw new TestBedError(`no cached kernel (${file} is missing): run ${setupScript}`);
  const env = parseKernelEnv(readFileSync(file, 'utf8'), file);
  for (const path of [env.image, join(env.modules, 'modules.dep')]) {
    if (!existsSync(path)) throw new TestBedError(`cached kernel is incomplete (${path} is missing): run ${setupScript}`);
  }
  return env;
}
