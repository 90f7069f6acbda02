// The load order of a `modules` config from the module tree: its modules.dep, with modules.alias, modules.softdep, modules.builtin and modules.builtin.modinfo beside it.
import type { Modules } from '../config/generated/config-types';
import { mergeAliases, type ModuleAliases, parseBuiltinModinfoAliases, parseModulesAlias, parseModulesSoftdep } from './modules-alias';
import { loadOrder, parseModulesBuiltin, parseModulesDep, type LoadOrder, type LoadOrderFacts, ModuleOrderError, type ModulesDep, ModulesDepError } from './modules-dep';

/** What resolving may know beyond modules.dep: the running kernel, and facts for loadOrder (the tree's alias and softdep files win). */
export interface ResolveModulesFacts extends LoadOrderFacts {
  /** `uname -r`, to find /lib/modules/<release> under a `directory` of /lib/modules. */
  kernelRelease?: string;
}

/** A load order and the tree it came from. */
export interface ResolvedModules {
  order: LoadOrder;
  /** The directory whose modules.dep was read; module paths are relative to it. */
  directory: string;
  depPath: string;
  /** What the kernel has built in: the facts' and the tree's modules.builtin together. */
  builtin: ReadonlySet<string>;
}

/** A modules.dep that was read but cannot be parsed, or names that cannot be ordered with it; `cause` says which. */
export class ModuleResolveError extends Error {
  constructor(
    readonly depPath: string,
    override readonly cause: ModuleOrderError | ModulesDepError,
  ) {
    super(cause.message, { cause });
    this.name = 'ModuleResolveError';
  }
}

/**
 * The directories searched for modules.dep, in order: `directory`, then its subdirectory for the running kernel; for
 * the default /lib/modules, /usr/lib/modules after it (a merged-/usr root may have no /lib/modules of its own).
 */
export function moduleDirectories(modules: NonNullable<Modules>, kernelRelease?: string): string[] {
  const bases = modules.directory === '/lib/modules' ? ['/lib/modules', '/usr/lib/modules'] : [modules.directory];
  return bases.flatMap((base) => [base, ...(kernelRelease ? [`${base}/${kernelRelease}`] : [])]);
}

/**
 * The load order of `modules.names` from the first readable modules.dep, reading modules.alias, modules.softdep and
 * modules.builtin beside it as modprobe does; undefined when no modules.dep can be read. Throws ModuleResolveError.
 */
export function resolveModules(modules: NonNullable<Modules>, readFile: (path: string) => string | undefined, facts: ResolveModulesFacts = {}): ResolvedModules | undefined {
  const depFile = modules.depFilePath ?? 'modules.dep';
  for (const directory of moduleDirectories(modules, facts.kernelRelease)) {
    const depPath = depFile.startsWith('/') ? depFile : `${directory}/${depFile}`;
    const text = readFile(depPath);
    if (text === undefined) continue;
    try {
      const tree = readModuleTree(directory, text, readFile, facts);
      const order = loadOrder(modules.names, tree.deps, tree.facts);
      return { order, directory, depPath, builtin: tree.facts.builtin ?? new Set() };
    } catch (error) {
      if (error instanceof ModuleOrderError || error instanceof ModulesDepError) throw new ModuleResolveError(depPath, error);
      throw error;
    }
  }
  return undefined;
}

/** A module tree as loadOrder takes it. */
export interface ModuleTree {
  deps: ModulesDep;
  facts: LoadOrderFacts;
}

/**
 * Parses `depText` (the modules.dep of `directory`) and reads modules.softdep and modules.builtin beside it, and
 * modules.alias and modules.builtin.modinfo when loadOrder first needs an alias, as modprobe does; what the tree says
 * is added to `facts` (its alias and softdep files win).
 * Throws ModulesDepError for a modules.dep that cannot be parsed.
 */
export function readModuleTree(directory: string, depText: string, readFile: (path: string) => string | undefined, facts: LoadOrderFacts = {}): ModuleTree {
  const deps = parseModulesDep(depText);
  const softdepText = readFile(`${directory}/modules.softdep`);
  const builtinText = readFile(`${directory}/modules.builtin`);
  // Read and parsed only when a name is not found otherwise: the names of a boot are mostly modules.dep's own.
  let aliases: ModuleAliases | undefined | null = null;
  const readAliases = (): ModuleAliases | undefined => {
    if (aliases !== null) return aliases;
    const aliasText = readFile(`${directory}/modules.alias`);
    const builtinModinfoText = readFile(`${directory}/modules.builtin.modinfo`);
    // A module built in (virtio_pci, fuse on Debian 13's 6.12) keeps its aliases in modules.builtin.modinfo only.
    const treeAliases = aliasText === undefined ? undefined : parseModulesAlias(aliasText);
    const builtinAliases = builtinModinfoText === undefined ? undefined : parseBuiltinModinfoAliases(builtinModinfoText);
    const given = typeof facts.aliases === 'function' ? facts.aliases() : facts.aliases;
    aliases = treeAliases && builtinAliases ? mergeAliases(treeAliases, builtinAliases) : (treeAliases ?? builtinAliases ?? given);
    return aliases;
  };
  return {
    deps,
    facts: {
      ...facts,
      ...(builtinText === undefined ? {} : { builtin: new Set([...(facts.builtin ?? []), ...parseModulesBuiltin(builtinText)]) }),
      aliases: readAliases,
      ...(softdepText === undefined ? {} : { softdeps: parseModulesSoftdep(softdepText) }),
    },
  };
}
