// The shared libraries an executable needs, found the way ld.so finds them, over an injected file system.
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { ElfError, isElf, readElfDynamicInfo, type ElfDynamicInfo } from '../elf/elf-dynamic';

/** The file access resolution needs; tests pass a fake tree, `hostFileSystem` reads the real one. */
export interface LibraryFileSystem {
  /** A regular file's bytes (following symlinks), or undefined when there is none at that path. */
  readFile(path: string): Uint8Array | undefined;
  /** Names in a directory, or an empty list when it does not exist. */
  readDir(path: string): string[];
  /** The path with every symlink resolved, or undefined when it does not exist. */
  realPath(path: string): string | undefined;
}

/** Where a library was found, in ld.so's search order. */
export type LibrarySource = 'rpath' | 'runpath' | 'ld.so.conf' | 'default';

/** One library of the closure. */
export interface SharedLibrary {
  /** The name the loader looks for (DT_NEEDED), e.g. `libc.so.6`. */
  name: string;
  /** Where the loader finds it, symlinks not resolved: `/lib/x86_64-linux-gnu/libc.so.6`. */
  path: string;
  /** The file behind `path`, whose bytes are the library. */
  realPath: string;
  /** Where to put it in an initramfs, which has no ld.so.cache: `path` when in a built-in directory, else the first built-in one. */
  imagePath: string;
  source: LibrarySource;
  neededBy: string;
}

/** The program interpreter (PT_INTERP) and every library, in the breadth-first order ld.so loads them. */
export interface LibraryClosure {
  interpreter: { path: string; realPath: string } | undefined;
  libraries: SharedLibrary[];
}

/** A library that cannot be found, or a file that is not a usable ELF object. */
export class SharedLibraryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SharedLibraryError';
  }
}

/** ld.so's built-in directories on Debian x86_64 (multiarch first), searched after ld.so.cache. */
export const defaultLibraryDirectories: readonly string[] = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib64',
  '/lib',
  '/usr/lib',
];

/** ld.so's built-in directories on Debian arm64, whose loader has no /lib64. */
export const aarch64LibraryDirectories: readonly string[] = ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib', '/usr/lib'];

// e_machine of an aarch64 ELF.
const EM_AARCH64 = 183;

/** Options of `resolveSharedLibraries`; the defaults describe Debian's loader for the executable's machine (x86_64 or arm64). */
export interface ResolveOptions {
  ldSoConf?: string;
  defaultDirectories?: readonly string[];
}

/** Resolves the full closure of shared libraries `executable` needs, failing on the first one not found. */
export function resolveSharedLibraries(executable: string, fs: LibraryFileSystem, options: ResolveOptions = {}): LibraryClosure {
  const configured = ldSoConfDirectories(fs, options.ldSoConf ?? '/etc/ld.so.conf');
  const executableReal = fs.realPath(executable);
  const bytes = fs.readFile(executable);
  if (bytes === undefined || executableReal === undefined) throw new SharedLibraryError(`${executable}: no such file`);
  const root = { path: executable, realPath: executableReal, info: elfInfo(executable, bytes), rpathChain: [] as string[] };
  const machine = root.info.machine;
  const arm64 = machine === EM_AARCH64;
  const defaults = options.defaultDirectories ?? (arm64 ? aarch64LibraryDirectories : defaultLibraryDirectories);

  let interpreter: LibraryClosure['interpreter'];
  if (root.info.interpreter !== undefined) {
    const realPath = fs.realPath(root.info.interpreter);
    if (realPath === undefined) throw new SharedLibraryError(`${executable}: its interpreter ${root.info.interpreter} does not exist`);
    interpreter = { path: root.info.interpreter, realPath };
  }

  const libraries: SharedLibrary[] = [];
  const found = new Set<string>();
  const queue = [root];
  while (queue.length) {
    const object = queue.shift()!;
    const { info } = object;
    const origin = dirname(object.realPath);
    const expand = (dirs: string[]): string[] => dirs.map((dir) => expandTokens(dir, origin, arm64 ? 'aarch64' : 'x86_64'));
    // ld.so ignores DT_RPATH (the object's and its loaders') when the object has DT_RUNPATH.
    const rpath = info.runpath.length ? [] : [...expand(info.rpath), ...object.rpathChain];
    const searchOrder: [LibrarySource, string[]][] = [
      ['rpath', rpath],
      ['runpath', expand(info.runpath)],
      ['ld.so.conf', configured],
      ['default', [...defaults]],
    ];
    for (const name of info.needed) {
      if (found.has(name) || name === interpreterName(interpreter)) continue;
      const hit = search(name, searchOrder, fs, machine);
      if (!hit) {
        const tried = searchOrder.flatMap(([, dirs]) => dirs);
        throw new SharedLibraryError(`${name} (needed by ${object.path}) not found in ${[...new Set(tried)].join(', ')}`);
      }
      found.add(name);
      const realPath = fs.realPath(hit.path) ?? hit.path;
      // Without ld.so.cache, and with $ORIGIN now meaning the image's directories, only the built-in ones are sure to be searched.
      const keepsPath = defaults.includes(hit.directory);
      libraries.push({
        name,
        path: hit.path,
        realPath,
        imagePath: keepsPath ? hit.path : posix.join(defaults[0] ?? '/lib', posix.basename(name)),
        source: hit.source,
        neededBy: object.path,
      });
      queue.push({ path: hit.path, realPath, info: hit.info, rpathChain: [...(info.runpath.length ? [] : expand(info.rpath)), ...object.rpathChain] });
    }
  }
  return { interpreter, libraries };
}

interface Hit {
  path: string;
  directory: string;
  source: LibrarySource;
  info: ElfDynamicInfo;
}

function search(name: string, order: [LibrarySource, string[]][], fs: LibraryFileSystem, machine: number): Hit | undefined {
  const candidates: [LibrarySource, string][] = name.includes('/')
    ? [['default', dirname(name)]]
    : order.flatMap(([source, dirs]) => dirs.map((dir): [LibrarySource, string] => [source, dir]));
  for (const [source, directory] of candidates) {
    const path = name.includes('/') ? name : posix.join(directory, name);
    const bytes = fs.readFile(path);
    // Like ld.so, skip files that are not ELF objects for this machine (a 32-bit libc in /lib, say) and go on.
    if (bytes === undefined || !isElf(bytes)) continue;
    let info: ElfDynamicInfo;
    try {
      info = readElfDynamicInfo(bytes);
    } catch {
      continue;
    }
    if (info.machine !== machine) continue;
    return { path, directory, source, info };
  }
  return undefined;
}

function interpreterName(interpreter: LibraryClosure['interpreter']): string | undefined {
  return interpreter ? posix.basename(interpreter.path) : undefined;
}

function elfInfo(path: string, bytes: Uint8Array): ElfDynamicInfo {
  try {
    return readElfDynamicInfo(bytes);
  } catch (error) {
    if (error instanceof ElfError) throw new SharedLibraryError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

// ld.so's dynamic string tokens; $LIB and $PLATFORM take the values Debian's loader for that machine uses.
function expandTokens(dir: string, origin: string, platform: 'x86_64' | 'aarch64'): string {
  return dir
    .replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin)
    .replace(/\$\{LIB\}|\$LIB/g, `lib/${platform}-linux-gnu`)
    .replace(/\$\{PLATFORM\}|\$PLATFORM/g, platform);
}

/** The directories /etc/ld.so.conf names, following `include` globs, in order and without repeats. */
export function ldSoConfDirectories(fs: LibraryFileSystem, path = '/etc/ld.so.conf'): string[] {
  const directories: string[] = [];
  const visited = new Set<string>();
  const read = (file: string): void => {
    if (visited.has(file)) return;
    visited.add(file);
    const bytes = fs.readFile(file);
    if (bytes === undefined) return;
    for (const raw of Buffer.from(bytes).toString('utf8').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '' || line.startsWith('hwcap ')) continue;
      if (line.startsWith('include ') || line.startsWith('include\t')) {
        for (const pattern of line.slice('include'.length).trim().split(/\s+/)) {
          const absolute = isAbsolute(pattern) ? pattern : join(dirname(file), pattern);
          for (const match of glob(fs, absolute)) read(match);
        }
        continue;
      }
      // ldconfig also accepts `,` `:` and whitespace between directories on one line.
      for (const dir of line.split(/[\s,:]+/)) {
        const clean = dir.replace(/\/+$/, '') || '/';
        if (isAbsolute(clean) && !directories.includes(clean)) directories.push(clean);
      }
    }
  };
  read(path);
  return directories;
}

// ldconfig's includes use a glob in the last component only (`/etc/ld.so.conf.d/*.conf`); results are sorted like glob(3).
function glob(fs: LibraryFileSystem, pattern: string): string[] {
  const directory = dirname(pattern);
  const last = pattern.slice(directory.length + 1);
  if (!/[*?[]/.test(last)) return [pattern];
  const escaped = last.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const matcher = new RegExp(`^${escaped}$`);
  return fs
    .readDir(directory)
    .filter((name) => matcher.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => join(directory, name));
}

/** The host's file system, for packing from the machine `bootstrap pack` runs on. */
export const hostFileSystem: LibraryFileSystem = {
  readFile(path) {
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  readDir(path) {
    try {
      return readdirSync(path);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  },
  realPath(path) {
    try {
      return realpathSync(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
};

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
