// Assembles the initramfs `bootstrap pack` writes: /init, its libraries, the config, a skeleton, modules and extra files.
import { lstatSync, readFileSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { basename, join, posix, resolve } from 'node:path';
// The config is packed where PID 1 looks for it without `bootstrap.config=`.
import { DEFAULT_CONFIG_PATH } from '../config/default-path';
import { ModuleOrderError, ModulesDepError, formatModulesDep, loadOrder, moduleName } from '../modules/modules-dep';
import { readModuleTree } from '../modules/resolve-modules';
import { validateConfigText } from '../config/validate-config';
import { PREPARED_BOOT_PATH, prepareBoot } from '../plan/prepared-boot';
import { type Compression, compressImage } from './compress';
import { CPIO_TRAILER, type CpioEntry, writeNewcChunks } from './newc';
import { type LibraryFileSystem, SharedLibraryError, hostFileSystem, resolveSharedLibraries } from './shared-libraries';
import { sysrootFileSystem } from './sysroot';

/** An extra file or directory tree to copy into the image; `dest` is absolute inside the image, and one ending in `/` is the directory to put `src` into. */
export interface AddSpec {
  src: string;
  dest: string;
}

/** What `bootstrap pack` asks for; `configText` is already validated by the caller. */
export interface PackSpec {
  binary: string;
  configText: string;
  /** A `lib/modules/KVER` directory; KVER is its last path component. */
  modulesFrom?: string;
  /** Module names or modules.dep paths; their dependencies come along. */
  modules?: readonly string[];
  add?: readonly AddSpec[];
  compress: Compression;
  /** Overrides the default level of the chosen compression. */
  compressLevel?: number;
  /** The target's root file system, where the binary's interpreter and libraries are found (another architecture's, say). */
  sysroot?: string;
  /**
   * The version and build of the executable packed as /init, when it is the one packing: the image then holds the config as
   * validated and the plan for the packed modules (PREPARED_BOOT_PATH), which that executable trusts at boot.
   */
  prepareFor?: string;
  /** koffi's addon of the executable packed as /init, when it is the one packing, and where it goes in the image. */
  ffiAddon?: { path: string; bytes: Uint8Array };
}

/** Which part of the spec a packing failure comes from. */
export type PackErrorReason = 'binary' | 'libraries' | 'modules' | 'add' | 'conflict';

/** A packing failure a user can fix: a missing binary, an unknown module, an unreadable `--add` source, two files at one path. */
export class PackError extends Error {
  readonly reason: PackErrorReason;

  constructor(reason: PackErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackError';
    this.reason = reason;
  }
}

/** What went into an image, for the verb to print. */
export interface InitramfsContents {
  entries: CpioEntry[];
  libraries: string[];
  modules: string[];
  /** Requested modules left out because the kernel has them built in. */
  builtinModules: string[];
  kernelVersion: string | undefined;
  /** Every host path the image was made from (the binary, libraries, modules, --add files), so the output can be kept off them. */
  sources: string[];
}

// The skeleton every image has: mount points for the virtual file systems and a console before devtmpfs exists.
const skeleton: CpioEntry[] = [
  { kind: 'directory', path: 'dev', mode: 0o755 },
  // The kernel opens /dev/console for PID 1's stdio before any devtmpfs is mounted.
  { kind: 'charDevice', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  { kind: 'directory', path: 'proc', mode: 0o555 },
  { kind: 'directory', path: 'sys', mode: 0o555 },
  { kind: 'directory', path: 'run', mode: 0o755 },
  { kind: 'directory', path: 'tmp', mode: 0o1777 },
  { kind: 'directory', path: 'root', mode: 0o700 },
  { kind: 'directory', path: 'etc', mode: 0o755 },
];

/** Builds the compressed initramfs image for `spec`, with a summary of what went in. */
export async function packInitramfs(spec: PackSpec, fs: LibraryFileSystem = hostFileSystem): Promise<{ image: Buffer; contents: InitramfsContents }> {
  const contents = initramfsContents(spec, fs);
  const chunks = writeNewcChunks(contents.entries);
  return { image: await compressImage(Buffer.concat(chunks), spec.compress, spec.compressLevel), contents };
}

/** The entries of the image in archive order (every directory before what it holds), with a summary. */
export function initramfsContents(spec: PackSpec, fs: LibraryFileSystem = hostFileSystem): InitramfsContents {
  const image = new ImageTree();
  for (const entry of skeleton) image.put(entry, 'the image skeleton');

  const sources: string[] = [spec.binary];
  const binary = readBinary(spec.binary, fs);
  image.put({ kind: 'file', path: 'init', mode: 0o755, data: binary }, `the binary ${spec.binary}`);
  // The binary is read once: at 110 MB a second read is most of the time spent before compression. It is a
  // host path even when its libraries come from a sysroot.
  const libraryFiles = spec.sysroot === undefined ? fs : sysrootFileSystem(spec.sysroot);
  const files: LibraryFileSystem = {
    readFile: (path) => (path === spec.binary ? binary : libraryFiles.readFile(path)),
    readDir: (path) => libraryFiles.readDir(path),
    realPath: (path) => (path === spec.binary ? fs.realPath(path) : libraryFiles.realPath(path)),
  };
  const sysroot = spec.sysroot;
  const hostPath = sysroot === undefined ? (path: string) => path : (path: string) => join(sysroot, path);
  const libraries = packLibraries(spec.binary, files, image, sources, hostPath, sysroot === undefined);
  image.put({ kind: 'file', path: DEFAULT_CONFIG_PATH, mode: 0o644, data: Buffer.from(spec.configText) }, 'the config');

  let modules: ModuleSelection = { paths: [], builtin: [], kernelVersion: undefined };
  if (spec.modulesFrom !== undefined) {
    modules = packModules(spec.modulesFrom, spec.modules ?? [], image, sources);
  } else if (spec.modules?.length) {
    throw new PackError('modules', `modules ${spec.modules.join(', ')} were asked for but no modules directory (--modules-from) was given`);
  }
  for (const add of spec.add ?? []) addTree(add, image, sources);
  if (spec.prepareFor !== undefined) prepare(spec.prepareFor, spec.configText, modules.kernelVersion, image);
  if (spec.ffiAddon !== undefined) image.put({ kind: 'file', path: spec.ffiAddon.path, mode: 0o644, data: spec.ffiAddon.bytes }, 'the FFI addon of /init');
  return { entries: image.entries(), libraries, modules: modules.paths, builtinModules: modules.builtin, kernelVersion: modules.kernelVersion, sources };
}

function readBinary(path: string, fs: LibraryFileSystem): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = fs.readFile(path);
  } catch (error) {
    throw new PackError('binary', `cannot read the binary ${path}: ${errorText(error)}`, { cause: error });
  }
  if (bytes === undefined) throw new PackError('binary', `the binary ${path} does not exist (or is not a regular file)`);
  return bytes;
}

// `hostPath` names a library's file on this machine (in the sysroot), for the list of files the image is made from.
function packLibraries(binary: string, fs: LibraryFileSystem, image: ImageTree, sources: string[], hostPath: (path: string) => string, onHost: boolean): string[] {
  let closure;
  try {
    closure = resolveSharedLibraries(binary, fs);
  } catch (error) {
    if (error instanceof SharedLibraryError) {
      const hint = onHost ? ' (a binary built for another architecture needs --sysroot DIR, its root file system)' : '';
      throw new PackError('libraries', `cannot resolve the shared libraries of ${binary}: ${error.message}${hint}`, { cause: error });
    }
    throw error;
  }
  const packed: string[] = [];
  // Files are copied to the name the loader looks for, so symlinks between library versions need not be recreated.
  const copy = (imagePath: string, realPath: string, origin: string): void => {
    const data = fs.readFile(realPath);
    if (data === undefined) throw new PackError('libraries', `${realPath} (${origin}) disappeared while packing`);
    image.put({ kind: 'file', path: imagePath, mode: 0o755, data }, origin);
    packed.push(imagePath);
    sources.push(hostPath(realPath));
  };
  if (closure.interpreter) copy(closure.interpreter.path, closure.interpreter.realPath, `the interpreter of ${binary}`);
  for (const library of closure.libraries) copy(library.imagePath, library.realPath, `${library.name}, needed by ${library.neededBy}`);
  return packed;
}

interface ModuleSelection {
  paths: string[];
  builtin: string[];
  /** The KVER of the lib/modules/KVER tree packed from. */
  kernelVersion: string | undefined;
}

function packModules(directory: string, requested: readonly string[], image: ImageTree, sources: string[]): ModuleSelection {
  const kernelVersion = basename(resolve(directory));
  const readOptional = recordingReads(sources);
  const depText = readOptional(join(directory, 'modules.dep'));
  if (depText === undefined) {
    throw new PackError('modules', `${join(directory, 'modules.dep')} does not exist; is ${directory} a lib/modules/KVER tree (run depmod)?`);
  }
  // Each file of the tree is read once: the load order needs the alias and softdep files, and so does the filtering below.
  const texts = new Map<string, string | undefined>();
  const readText = (path: string): string | undefined => {
    if (!texts.has(path)) texts.set(path, readOptional(path));
    return texts.get(path);
  };
  let order;
  try {
    const { deps, facts } = readModuleTree(directory, depText, readText);
    order = { deps, ...loadOrder(requested, deps, facts) };
  } catch (error) {
    if (error instanceof ModulesDepError || error instanceof ModuleOrderError) {
      throw new PackError('modules', `${directory}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  const base = posix.join('lib/modules', kernelVersion);
  for (const path of order.paths) {
    const data = readOptional(join(directory, path), 'binary');
    if (data === undefined) throw new PackError('modules', `${join(directory, path)} is listed in modules.dep but does not exist`);
    image.put({ kind: 'file', path: posix.join(base, path), mode: 0o644, data }, `module ${path}`);
  }
  // modules.dep lists only what was packed, so a loader in the image never reaches for a missing file.
  const packed = new Set(order.paths);
  const packedDeps = new Map([...order.deps].filter(([path]) => packed.has(path)));
  image.put({ kind: 'file', path: posix.join(base, 'modules.dep'), mode: 0o644, data: Buffer.from(formatModulesDep(packedDeps)) }, 'modules.dep');
  // Aliases and soft dependencies of packed modules only, so the boot loader resolves `crc32c` or `softdep ext4` the same way.
  const packedNames = new Set(order.paths.map(moduleName));
  const keepLines = (text: string | undefined, keyword: string, moduleField: number): Buffer | undefined => {
    if (text === undefined) return undefined;
    const kept = text.split('\n').filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[0] === keyword && packedNames.has(moduleName(fields[moduleField] ?? ''));
    });
    return Buffer.from(kept.map((line) => `${line}\n`).join(''));
  };
  const filtered: [string, Buffer | undefined][] = [
    ['modules.alias', keepLines(readText(`${directory}/modules.alias`), 'alias', 2)],
    ['modules.softdep', keepLines(readText(`${directory}/modules.softdep`), 'softdep', 1)],
  ];
  for (const [name, data] of filtered) if (data !== undefined) image.put({ kind: 'file', path: posix.join(base, name), mode: 0o644, data }, name);
  // Whole: modules.builtin.modinfo holds the aliases of built-in modules, which the boot resolves like any other.
  for (const name of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
    const data = readOptional(join(directory, name), 'binary');
    if (data !== undefined) image.put({ kind: 'file', path: posix.join(base, name), mode: 0o644, data }, name);
  }
  return { paths: order.paths, builtin: order.skipped.map((skipped) => skipped.name), kernelVersion };
}

// The config as validated at boot and, with a modules tree packed, the plan for it, read from the image as PID 1 will.
function prepare(version: string, configText: string, kernelRelease: string | undefined, image: ImageTree): void {
  const config = validateConfigText(configText).config;
  if (config === undefined) return;
  const inputs =
    kernelRelease === undefined
      ? undefined
      : {
          kernelRelease,
          builtin: image.text(`/lib/modules/${kernelRelease}/modules.builtin`),
          // No module is loaded before the initramfs's /init runs: the kernel has nobody to ask for one.
          loaded: '',
          readFile: (path: string) => image.text(path),
        };
  const prepared = prepareBoot(version, configText, config, inputs);
  if (prepared !== undefined) image.put({ kind: 'file', path: PREPARED_BOOT_PATH, mode: 0o644, data: Buffer.from(JSON.stringify(prepared)) }, 'the prepared boot');
}

// Where an --add goes: `dest` itself, or for a `dest` ending in / (as cp takes it), the source's name inside it.
function addDestination(add: AddSpec): string {
  const where = `--add ${add.src}:${add.dest}`;
  if (!posix.isAbsolute(add.dest) || add.dest.split('/').includes('..')) {
    throw new PackError('add', `${where}: the destination must be an absolute path inside the image, without ".."`);
  }
  let dest = posix.normalize(add.dest);
  if (dest.endsWith('/')) {
    const name = basename(resolve(add.src));
    if (name === '') throw new PackError('add', `${where}: ${add.src} has no name to put into ${dest}; give the whole destination`);
    dest = posix.join(dest, name);
  }
  if (dest === '/') throw new PackError('add', `${where}: the destination must be a path inside the image, not / itself; end it in / to put ${add.src} into a directory`);
  // newc ends an archive with an entry of this name: a file by that name would end it early.
  if (dest === `/${CPIO_TRAILER}`) throw new PackError('add', `${where}: ${CPIO_TRAILER} is the name that ends a cpio archive; choose another destination`);
  return dest;
}

function addTree(add: AddSpec, image: ImageTree, sources: string[]): void {
  const dest = addDestination(add);
  const origin = `--add ${add.src}`;
  const walk = (source: string, target: string): void => {
    let stat: Stats;
    try {
      stat = lstatSync(source);
    } catch (error) {
      throw new PackError('add', `${origin}: cannot read ${source}: ${errorText(error)}`, { cause: error });
    }
    const mode = stat.mode & 0o7777;
    sources.push(source);
    try {
      if (stat.isDirectory()) {
        image.put({ kind: 'directory', path: target, mode }, origin);
        for (const name of readdirSync(source).sort()) walk(join(source, name), posix.join(target, name));
      } else if (stat.isFile()) {
        image.put({ kind: 'file', path: target, mode, data: readFileSync(source) }, origin);
      } else if (stat.isSymbolicLink()) {
        image.put({ kind: 'symlink', path: target, target: readlinkSync(source) }, origin);
      } else if (stat.isCharacterDevice()) {
        image.put({ kind: 'charDevice', path: target, mode, major: Math.floor(stat.rdev / 256) & 0xfff, minor: (stat.rdev & 0xff) | ((stat.rdev >> 12) & 0xfff00) }, origin);
      } else {
        throw new PackError('add', `${origin}: ${source} is a block device, fifo or socket, which the image does not take`);
      }
    } catch (error) {
      if (error instanceof PackError) throw error;
      throw new PackError('add', `${origin}: cannot read ${source}: ${errorText(error)}`, { cause: error });
    }
  };
  walk(add.src, dest);
}

// The image as a path → entry map: parents are made on demand, directories merge, anything else may appear once.
class ImageTree {
  private readonly nodes = new Map<string, { entry: CpioEntry; origin: string }>();

  put(entry: CpioEntry, origin: string): void {
    const path = posix.normalize(entry.path).replace(/^\/+/, '');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) this.ensureDirectory(parts.slice(0, i).join('/'), origin);
    const existing = this.nodes.get(path);
    if (existing) {
      if (existing.entry.kind === 'directory' && entry.kind === 'directory') return;
      throw new PackError('conflict', `/${path} comes from both ${existing.origin} and ${origin}`);
    }
    this.nodes.set(path, { entry: { ...entry, path }, origin });
  }

  /** A regular file's text, as the boot would read it at `path` (absolute); undefined for anything else. */
  text(path: string): string | undefined {
    const entry = this.nodes.get(posix.normalize(path).replace(/^\/+/, ''))?.entry;
    return entry?.kind === 'file' ? Buffer.from(entry.data).toString('utf8') : undefined;
  }

  entries(): CpioEntry[] {
    // Sorting by path puts each directory before its contents, which the kernel's unpacker needs.
    return [...this.nodes.keys()].sort().map((path) => this.nodes.get(path)!.entry);
  }

  private ensureDirectory(path: string, origin: string): void {
    const existing = this.nodes.get(path);
    if (existing === undefined) this.nodes.set(path, { entry: { kind: 'directory', path, mode: 0o755 }, origin });
    else if (existing.entry.kind !== 'directory') throw new PackError('conflict', `/${path} is a ${existing.entry.kind} from ${existing.origin}, but ${origin} needs it to be a directory`);
  }
}

// readOptional, noting each path it read in `sources`.
function recordingReads(sources: string[]): typeof readOptional {
  function read(path: string): string | undefined;
  function read(path: string, encoding: 'binary'): Buffer | undefined;
  function read(path: string, encoding?: 'binary'): string | Buffer | undefined {
    const data = encoding ? readOptional(path, encoding) : readOptional(path);
    if (data !== undefined) sources.push(path);
    return data;
  }
  return read;
}

function readOptional(path: string): string | undefined;
function readOptional(path: string, encoding: 'binary'): Buffer | undefined;
function readOptional(path: string, encoding?: 'binary'): string | Buffer | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    return encoding ? readFileSync(path) : readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new PackError('modules', `cannot read ${path}: ${errorText(error)}`, { cause: error });
  }
}

function errorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
