// Kernel module metadata from text: modules.dep, modules.builtin, /proc/modules, and the load order they imply.
import { closest } from '../config/suggest';
import { isModuleFile, moduleName } from './module-name';
import { type ModuleAliases, type ModuleSoftdeps, resolveAlias } from './modules-alias';

/** modules.dep as data: module path (as written, e.g. `kernel/fs/fuse/virtiofs.ko`) → its dependency paths. */
export type ModulesDep = ReadonlyMap<string, readonly string[]>;

/** A line of modules.dep that cannot be read; `line` counts from 1. */
export class ModulesDepError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`modules.dep line ${line}: ${message}`);
    this.name = 'ModulesDepError';
    this.line = line;
  }
}

/** Why a module cannot be ordered: a dependency cycle, a name modules.dep lacks, or a dependency it lists but does not define. */
export type ModuleOrderReason = 'cycle' | 'unknown' | 'missing-dependency';

/** A module that cannot be put in a load order: unknown, or part of a dependency cycle. */
export class ModuleOrderError extends Error {
  constructor(
    readonly reason: ModuleOrderReason,
    message: string,
  ) {
    super(message);
    this.name = 'ModuleOrderError';
  }
}

/** Names and suffixes live in their own file so modules-alias can use them without an import cycle. */
export { isModuleFile, moduleName } from './module-name';

/** Parses modules.dep (`path: dep dep …` per line); blank lines are allowed, anything else malformed throws with its line number. */
export function parseModulesDep(text: string): ModulesDep {
  const deps = new Map<string, string[]>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const lineNumber = index + 1;
    const colon = line.indexOf(':');
    if (colon < 0) throw new ModulesDepError(lineNumber, `expected "path: dependencies", got ${JSON.stringify(line)}`);
    const path = line.slice(0, colon).trim();
    const rest = line.slice(colon + 1).trim();
    if (path === '' || /\s/.test(path)) throw new ModulesDepError(lineNumber, `bad module path ${JSON.stringify(path)}`);
    if (!isModuleFile(path)) throw new ModulesDepError(lineNumber, `${path} is not a module file (.ko, .ko.gz, .ko.xz, .ko.zst)`);
    if (deps.has(path)) throw new ModulesDepError(lineNumber, `${path} is listed twice`);
    const dependencies = rest === '' ? [] : rest.split(/\s+/);
    const bad = dependencies.find((dep) => !isModuleFile(dep) || dep.includes(':'));
    if (bad !== undefined) throw new ModulesDepError(lineNumber, `dependency ${JSON.stringify(bad)} of ${path} is not a module file`);
    deps.set(path, dependencies);
  });
  return deps;
}

/** Parses modules.builtin (one module path a line) into the set of canonical names built into the kernel. */
export function parseModulesBuiltin(text: string): ReadonlySet<string> {
  const names = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line !== '') names.add(moduleName(line));
  }
  return names;
}

/** Parses /proc/modules (`name size refcount deps state address`) into the set of canonical names already loaded. */
export function parseProcModules(text: string): ReadonlySet<string> {
  const names = new Set<string>();
  for (const raw of text.split('\n')) {
    const name = raw.trim().split(/\s+/)[0];
    if (name) names.add(moduleName(name));
  }
  return names;
}

/** Finds a module of modules.dep by name (`virtio-fs`, `virtiofs.ko`) or by path (`kernel/fs/fuse/virtiofs.ko`); undefined when absent. */
export function findModule(deps: ModulesDep, nameOrPath: string): string | undefined {
  if (deps.has(nameOrPath)) return nameOrPath;
  const wanted = moduleName(nameOrPath);
  if (nameOrPath.includes('/')) {
    // A path with another compression suffix than the tree's still names the same file stem.
    const directory = nameOrPath.slice(0, nameOrPath.lastIndexOf('/') + 1);
    for (const path of deps.keys()) {
      if (path.slice(0, path.lastIndexOf('/') + 1) === directory && moduleName(path) === wanted) return path;
    }
    return undefined;
  }
  // modules.dep is in depmod's search order, so the first module of a name is the one modprobe would pick.
  for (const path of deps.keys()) if (moduleName(path) === wanted) return path;
  return undefined;
}

/** What the machine and the module tree say beyond modules.dep; every field is optional. */
export interface LoadOrderFacts {
  /** Canonical names built into the kernel (modules.builtin): requesting one is not an error. */
  builtin?: ReadonlySet<string>;
  /** Canonical names already loaded (/proc/modules). */
  loaded?: ReadonlySet<string>;
  /**
   * modules.alias, for names such as `crc32c` or `fs-virtiofs` that stand for modules; or a function giving it,
   * called only when a name is neither built in, loaded nor in modules.dep (parsing a kernel's aliases is costly).
   */
  aliases?: ModuleAliases | (() => ModuleAliases | undefined);
  /** modules.softdep, for modules to load around others (`softdep ext4 pre: crypto-crc32c`). */
  softdeps?: ModuleSoftdeps;
}

/** A requested module that needs no loading, and why. */
export interface SkippedModule {
  name: string;
  reason: 'builtin' | 'loaded';
}

/** The result of `loadOrder`: module paths to load in order, which of them may fail, and the requested modules left out. */
export interface LoadOrder {
  paths: string[];
  /**
   * For each path, the paths before it in `paths` that must be loaded first: its modules.dep dependencies, its `pre`
   * soft dependencies, and the module it is a `post` soft dependency of. Loads that do not wait on each other may run
   * at the same time.
   */
  after: ReadonlyMap<string, readonly string[]>;
  /** Paths wanted only through a soft dependency or an alias naming several modules: like modprobe, a failure there is a warning. */
  optional: string[];
  skipped: SkippedModule[];
}

/**
 * Every requested module with its dependencies, dependencies first, each once, in a stable order.
 * Built-in and already-loaded modules are skipped, not errors; an unknown module or a cycle throws.
 * Soft dependencies come as modprobe loads them: `pre` before the module, `post` after it.
 */
export function loadOrder(requested: readonly string[], deps: ModulesDep, facts: LoadOrderFacts = {}): LoadOrder {
  const builtin = facts.builtin ?? new Set<string>();
  const loaded = facts.loaded ?? new Set<string>();
  const paths: string[] = [];
  const optional = new Set<string>();
  const skipped: SkippedModule[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const prerequisites = new Map<string, Set<string>>();
  const follows = (path: string, before: string): void => {
    const set = prerequisites.get(path) ?? new Set<string>();
    set.add(before);
    prerequisites.set(path, set);
  };
  let aliases: ModuleAliases | undefined | null = null;
  const readAliases = (): ModuleAliases | undefined => {
    if (aliases === null) aliases = typeof facts.aliases === 'function' ? facts.aliases() : facts.aliases;
    return aliases;
  };

  // A name that is not a module may be an alias; kmod tries the module name first, then modules.alias.
  const resolve = (request: string): { paths: string[]; skipped: SkippedModule[]; several: boolean } | undefined => {
    const name = moduleName(request);
    if (builtin.has(name)) return { paths: [], skipped: [{ name, reason: 'builtin' }], several: false };
    if (loaded.has(name)) return { paths: [], skipped: [{ name, reason: 'loaded' }], several: false };
    const path = findModule(deps, request);
    if (path !== undefined) return { paths: [path], skipped: [], several: false };
    if (request.includes('/')) return undefined;
    const aliases = readAliases();
    if (!aliases) return undefined;
    const result = { paths: [] as string[], skipped: [] as SkippedModule[], several: false };
    const names = resolveAlias(aliases, request);
    for (const target of names) {
      if (builtin.has(target)) result.skipped.push({ name: target, reason: 'builtin' });
      else if (loaded.has(target)) result.skipped.push({ name: target, reason: 'loaded' });
      else {
        const targetPath = findModule(deps, target);
        if (targetPath !== undefined) result.paths.push(targetPath);
      }
    }
    result.several = result.paths.length > 1;
    return result.paths.length || result.skipped.length ? result : undefined;
  };

  const markRequired = (path: string): void => {
    if (!optional.delete(path)) return;
    for (const dep of deps.get(path) ?? []) markRequired(dep);
  };

  // The soft dependencies' paths, visited; `pre` ones are then loaded before `of`, `post` ones after it.
  const visitSoft = (names: readonly string[], of: string, when: 'pre' | 'post'): void => {
    for (const soft of names) {
      // modprobe ignores soft dependencies it cannot find, and a soft edge back into the chain is no cycle.
      for (const path of resolve(soft)?.paths ?? []) {
        if (visiting.includes(path)) continue;
        visit(path, true);
        if (when === 'pre') follows(of, path);
        else follows(path, of);
      }
    }
  };

  const visit = (path: string, isOptional: boolean): void => {
    if (done.has(path)) {
      if (!isOptional) markRequired(path);
      return;
    }
    const cycleStart = visiting.indexOf(path);
    if (cycleStart >= 0) {
      const cycle = [...visiting.slice(cycleStart), path].map(moduleName).join(' -> ');
      throw new ModuleOrderError('cycle', `module dependency cycle: ${cycle}`);
    }
    const name = moduleName(path);
    if (loaded.has(name)) {
      done.add(path);
      return;
    }
    visiting.push(path);
    const soft = facts.softdeps?.get(name);
    visitSoft(soft?.pre ?? [], path, 'pre');
    // modprobe loads the dependencies listed last first (depmod writes them that way), so we do too.
    for (const dep of [...(deps.get(path) ?? [])].reverse()) {
      if (!deps.has(dep)) throw new ModuleOrderError('missing-dependency', `module ${name} depends on ${dep}, which modules.dep does not list`);
      visit(dep, isOptional);
      follows(path, dep);
    }
    visiting.pop();
    done.add(path);
    paths.push(path);
    if (isOptional) optional.add(path);
    visiting.push(path);
    visitSoft(soft?.post ?? [], path, 'post');
    visiting.pop();
  };

  for (const request of requested) {
    const resolved = resolve(request);
    if (resolved === undefined) throw new ModuleOrderError('unknown', unknownModuleMessage(request, deps));
    skipped.push(...resolved.skipped);
    for (const path of resolved.paths) visit(path, resolved.several);
  }
  // Only what is loaded before: a module already loaded is no wait, and a soft edge to a module loaded earlier is kept.
  const position = new Map(paths.map((path, index) => [path, index]));
  const after = new Map(paths.map((path, index) => [path, [...(prerequisites.get(path) ?? [])].filter((before) => (position.get(before) ?? index) < index)]));
  return { paths, after, optional: paths.filter((path) => optional.has(path)), skipped };
}

function unknownModuleMessage(request: string, deps: ModulesDep): string {
  const guess = closest(moduleName(request), [...new Set([...deps.keys()].map(moduleName))]);
  return `module ${request} is not in modules.dep${guess ? `; did you mean ${guess}?` : ''}`;
}

/** Writes modules.dep text back, one `path: deps` line per module in the map's order (what depmod would write for that set). */
export function formatModulesDep(deps: ModulesDep): string {
  return [...deps].map(([path, list]) => (list.length ? `${path}: ${list.join(' ')}\n` : `${path}:\n`)).join('');
}
