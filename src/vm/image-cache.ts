// The base initramfs of `bootstrap vm`, packed once and kept in a cache directory: this executable as /init, its
// libraries and the modules the boot loads. The config of each run is appended to a copy of it (run-initrd.ts),
// so a new command or config costs a file copy, not a pack.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, realpathSync, rmSync, statSync, utimesSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { packInitramfs, PackError } from '../pack/initramfs';
import { writeFileAtomically } from '../pack/write-atomically';
import { VmError } from './vm-error';

/** Bump when what goes into a base image changes, so older entries are not reused. */
const FORMAT = 1;

/** How many base images the cache keeps (the most recently used); each is about 120 MiB. */
export const KEPT_IMAGES = 3;

/** The config packed into the base image: every run replaces it with its own, appended after it. */
const PLACEHOLDER_CONFIG = `# bootstrap vm's base image: each run appends its own config at this path, which replaces this one.
postSwitch: {handoff: {mode: shell, onExit: poweroff}}
`;

// The files of a module tree that decide what pack takes from it.
const TREE_FILES = ['modules.dep', 'modules.builtin', 'modules.alias', 'modules.softdep'] as const;

/** `$XDG_CACHE_HOME/bootstrap/vm`, else `~/.cache/bootstrap/vm` (the XDG base directory default). */
export function vmCacheDir(env: NodeJS.ProcessEnv = process.env, home: () => string = homedir): string {
  const base = env['XDG_CACHE_HOME'];
  return join(base !== undefined && base.startsWith('/') ? base : join(home(), '.cache'), 'bootstrap', 'vm');
}

/** What a base image is made of. */
export interface BaseImageSpec {
  binary: string;
  /** A lib/modules/KVER directory. */
  modulesDir: string;
  /** Module names; their dependencies come from modules.dep. */
  modules: readonly string[];
}

/**
 * The cache key: the executable's identity (device, inode, size, mtime: a rebuilt or replaced binary is a new
 * file), the module tree's path and its depmod files, and the module names. Cheap enough for every run, unlike
 * hashing 110 MB.
 */
export function baseImageKey(spec: BaseImageSpec): string {
  const identity = (path: string): string => {
    const stat = statSync(path, { throwIfNoEntry: false, bigint: true });
    return stat === undefined ? `${path}:absent` : `${path}:${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  };
  const tree = realpathSync(spec.modulesDir);
  const parts = [`format ${FORMAT}`, identity(realpathSync(spec.binary)), ...TREE_FILES.map((name) => identity(join(tree, name))), [...spec.modules].sort().join(',')];
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24);
}

/** The cached image for `spec`, packed first when it is not there; `built` says which. Throws VmError. */
export async function baseImage(spec: BaseImageSpec, cacheDir: string): Promise<{ path: string; built: boolean }> {
  const path = join(cacheDir, `base-${baseImageKey(spec)}.cpio`);
  if (statSync(path, { throwIfNoEntry: false })?.isFile()) {
    // The mtime says when it was last used, for pruning.
    const now = new Date();
    utimesSync(path, now, now);
    return { path, built: false };
  }
  let image: Buffer;
  try {
    // Uncompressed: under emulation the kernel unpacks a zstd image about a second slower than it copies this one.
    ({ image } = await packInitramfs({ binary: spec.binary, configText: PLACEHOLDER_CONFIG, modulesFrom: spec.modulesDir, modules: spec.modules, compress: 'none' }));
  } catch (error) {
    if (error instanceof PackError) throw new VmError(`cannot pack the guest's initramfs: ${error.message}`, { cause: error });
    throw error;
  }
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomically(path, image);
  } catch (error) {
    throw new VmError(`cannot write the cached initramfs ${path}: ${(error as Error).message}; set XDG_CACHE_HOME to a writable directory`, { cause: error });
  }
  pruneCache(cacheDir, KEPT_IMAGES);
  return { path, built: true };
}

/** Removes all but the `keep` most recently used base images. */
export function pruneCache(cacheDir: string, keep: number): void {
  const images = readdirSync(cacheDir)
    .filter((name) => /^base-[0-9a-f]+\.cpio$/.test(name))
    .map((name) => ({ path: join(cacheDir, name), used: statSync(join(cacheDir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of images.slice(keep)) rmSync(old.path, { force: true });
}
