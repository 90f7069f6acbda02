// Reads the env file of a cached Debian kernel (scripts/setup/kernel.sh, kernel-6.12.sh) into the kernel the guests boot.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, setupScript } from '../paths';
import { TestBedError } from './test-bed-error';

/** The kernels the test bed boots: Debian 12's 6.1 (the default) and Debian 13's 6.12. */
export const testKernels = ['6.1', '6.12'] as const;
export type TestKernel = (typeof testKernels)[number];

/** The variable that chooses the kernel of a test run; unset means 6.1. */
export const testKernelVariable = 'BOOTSTRAP_TEST_KERNEL';

// Each kernel's directory under the cache, and the script that fills it.
const kernelCaches: Readonly<Record<TestKernel, { directory: string; script: string }>> = {
  '6.1': { directory: 'kernel', script: 'scripts/setup/kernel.sh' },
  '6.12': { directory: 'kernel-6.12', script: 'scripts/setup/kernel-6.12.sh' },
};

/**
 * Modules the tests name that a kernel has built in, so a boot loads none of them: Debian 13's 6.12 builds in the
 * virtio core, virtio_pci, fuse and virtiofs, which Debian 12's 6.1 has as modules. A VM test checks its kernel agrees.
 */
export const builtInTestModules: Readonly<Record<TestKernel, readonly string[]>> = {
  '6.1': [],
  '6.12': ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci', 'fuse', 'virtiofs'],
};

/** A cached Debian kernel: which of the test bed's kernels, its release, its bzImage, and its modules directory (…/modules/<release>). */
export interface KernelEnv {
  kernel: TestKernel;
  version: string;
  image: string;
  modules: string;
}

/** The kernel `BOOTSTRAP_TEST_KERNEL` names (6.1 when unset); any other value is refused, never guessed at. */
export function testKernel(env: NodeJS.ProcessEnv = process.env): TestKernel {
  const value = env[testKernelVariable];
  if (value === undefined || value === '') return '6.1';
  const known = testKernels.find((kernel) => kernel === value);
  if (known === undefined) throw new TestBedError(`${testKernelVariable}=${value}: expected one of ${testKernels.join(', ')}`);
  return known;
}

/** Where the env file of `kernel` is. */
export function kernelEnvFile(kernel: TestKernel = testKernel()): string {
  return join(cacheDir, kernelCaches[kernel].directory, 'env');
}

/** Parses the env file's `NAME=value` lines (no quoting: the scripts write plain paths). */
export function parseKernelEnv(text: string, kernel: TestKernel, source = 'kernel env'): KernelEnv {
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
  return { kernel, version: get('KERNEL_VERSION'), image: get('KERNEL_IMAGE'), modules: get('KERNEL_MODULES') };
}

/** Reads and checks the cached `kernel` (BOOTSTRAP_TEST_KERNEL's by default); throws a TestBedError naming the setup script when it is not there. */
export function readKernelEnv(kernel: TestKernel = testKernel()): KernelEnv {
  const file = kernelEnvFile(kernel);
  const script = `${setupScript} (or ${kernelCaches[kernel].script})`;
  if (!existsSync(file)) throw new TestBedError(`no cached ${kernel} kernel (${file} is missing): run ${script}`);
  const env = parseKernelEnv(readFileSync(file, 'utf8'), kernel, file);
  for (const path of [env.image, join(env.modules, 'modules.dep')]) {
    if (!existsSync(path)) throw new TestBedError(`cached ${kernel} kernel is incomplete (${path} is missing): run ${script}`);
  }
  return env;
}
