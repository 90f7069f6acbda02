// Loading kernel modules with finit_module(2) from a file and init_module(2) from an image held in memory. With more
// than one CPU each call runs on a thread of libuv's pool: a module's load (relocation, its init, the probe of its
// devices) can take long, and loads that do not depend on each other then run at the same time while the event loop
// goes on. With one CPU their kernel work would only interleave, and the threads cost more than they give (measured
// under QEMU: docs/performance.md, "A fifth pass"): the call is made in PID 1's own thread, one load at a time.
import { closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { syscallNumbers } from './arch';
import { checkFd, checkInteger, checkPath, checkString } from './check';
import { callInThread, lastErrno, libc, type ThreadedFunction, type ThreadedResult } from './libc';
import { viaNode } from './node-error';
import { SysError, errnoName } from './sys-error';

// finit_module flags from <linux/module.h>.
export const MODULE_INIT_IGNORE_MODVERSIONS = 0x1;
export const MODULE_INIT_IGNORE_VERMAGIC = 0x2;
/** Only kernels built with CONFIG_MODULE_DECOMPRESS take compressed files, and only in the one format they were built for. */
export const MODULE_INIT_COMPRESSED_FILE = 0x4;

/** A load either happened or found the module already there; both leave the module loaded. */
export type ModuleLoadResult = 'loaded' | 'already-loaded';

/** A module file to load, by open descriptor or by path. */
export type FinitModuleSpec = ({ fd: number; path?: undefined } | { path: string; fd?: undefined }) & {
  /** Module parameters as the kernel reads them: `name=value name2=value2`. */
  params?: string;
  flags?: number;
};

/** How many module loads may run at once: one per CPU, at most libuv's four pool threads; 1 means in this thread. */
export function moduleLoadsAtOnce(cpus: number = availableParallelism()): number {
  return Math.max(1, Math.min(4, cpus));
}

// On a pool thread when loads may run at once, else here; either way with the errno the call left.
function callSyscall<A extends unknown[]>(fn: ThreadedFunction<A>, ...args: A): Promise<ThreadedResult> {
  if (moduleLoadsAtOnce() > 1) return callInThread(fn, ...args);
  const result = fn(...args);
  return Promise.resolve({ result, errno: result === -1 ? lastErrno() : 0 });
}

/** Loads a module file; a module that is already loaded is reported, not thrown (EEXIST). */
export async function finitModule(spec: FinitModuleSpec): Promise<ModuleLoadResult> {
  const params = checkString('finit_module', 'params', spec.params ?? '');
  const flags = checkInteger('finit_module', 'flags', spec.flags ?? 0, 0, 0x7);
  if (spec.fd !== undefined) return finitFd(checkFd('finit_module', 'fd', spec.fd), params, flags, {});
  const path = checkPath('finit_module', 'path', spec.path);
  const fd = viaNode('open', { path }, () => openSync(path, 'r'));
  try {
    return await finitFd(fd, params, flags, { path });
  } finally {
    closeSync(fd);
  }
}

async function finitFd(fd: number, params: string, flags: number, context: Record<string, unknown>): Promise<ModuleLoadResult> {
  const called = await callSyscall(libc().syscallFinitModule, syscallNumbers().finitModule, fd, params, flags);
  return outcome(called, 'finit_module', { ...context, fd, params, flags });
}

/** Loads a module image already in memory, e.g. one decompressed in user space from `.ko.xz`. */
export async function initModule(image: Uint8Array, params = ''): Promise<ModuleLoadResult> {
  if (!(image instanceof Uint8Array) || image.length === 0) throw new TypeError('init_module: image must be a non-empty Uint8Array');
  checkString('init_module', 'params', params);
  // `image` stays referenced here until the call has returned: the thread reads its bytes in place.
  const called = await callSyscall(libc().syscallInitModule, syscallNumbers().initModule, image, image.length, params);
  return outcome(called, 'init_module', { length: image.length, params });
}

function outcome({ result, errno }: ThreadedResult, syscall: string, args: Record<string, unknown>): ModuleLoadResult {
  if (result !== -1) return 'loaded';
  if (errnoName(errno) === 'EEXIST') return 'already-loaded';
  throw new SysError({ syscall, errno, args, hint: hints[errnoName(errno)] });
}

const hints: Record<string, string> = {
  ENOSYS: 'this kernel was built without loadable module support',
  ENOEXEC: 'the file is not a module for this kernel (wrong version, architecture, or still compressed)',
  EOPNOTSUPP: 'this kernel cannot decompress modules (built without CONFIG_MODULE_DECOMPRESS): give it the uncompressed image',
  ENOENT: 'a symbol it needs is missing: load its dependencies first (modules.dep)',
  EKEYREJECTED: 'the kernel enforces module signatures and rejected this one',
  EPERM: 'module loading needs CAP_SYS_MODULE and may be disabled (kernel.modules_disabled)',
};
