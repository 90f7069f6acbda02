// Reads .cache/arm64/env, written by scripts/setup/arm64.sh: the arm64 kernel, sysroot and executable's parts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths';
import type { KernelEnv } from './kernel-env';
import { TestBedError } from './test-bed-error';

/** Debian 12's arm64 kernel and the arm64 sysroot (C libraries and a static busybox) beside it. */
export interface Arm64Env {
  kernel: KernelEnv;
  sysroot: string;
}

/** The default location of the env file. */
export const arm64EnvFile = join(cacheDir, 'arm64', 'env');

const arm64Setup = 'scripts/setup/arm64.sh';

/** Reads and checks the cached arm64 files; throws a TestBedError naming the setup script when they are not there. */
export function readArm64Env(file = arm64EnvFile): Arm64Env {
  if (!existsSync(file)) throw new TestBedError(`no cached arm64 kernel and sysroot (${file} is missing): run ${arm64Setup}`);
  const values = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const get = (name: string): string => {
    const value = values.get(name);
    if (!value) throw new TestBedError(`${file}: ${name} is missing; run ${arm64Setup}`);
    return value;
  };
  const env = {
    kernel: { kernel: '6.1' as const, version: get('ARM64_KERNEL_VERSION'), image: get('ARM64_KERNEL_IMAGE'), modules: get('ARM64_KERNEL_MODULES') },
    sysroot: get('ARM64_SYSROOT'),
  };
  for (const path of [env.kernel.image, join(env.kernel.modules, 'modules.dep'), join(env.sysroot, 'bin/busybox')]) {
    if (!existsSync(path)) throw new TestBedError(`the arm64 cache is incomplete (${path} is missing): run ${arm64Setup}`);
  }
  return env;
}
