// Resolves a module step planned for run time (postSwitch after a switch) in the module tree of the root it runs in.
// The loads it gives may run at the same time as far as each one's `after` allows.
import type { SkippedModule } from '../modules/modules-dep';
import { moduleName } from '../modules/module-name';
import { moduleDirectories, ModuleResolveError, resolveModules, type ResolveModulesFacts } from '../modules/resolve-modules';
import type { ModuleLookup } from '../plan/step';

/** One module file to load, dependencies coming before the modules that need them. */
export interface ModuleLoad {
  name: string;
  path: string;
  parameters: string;
  /** Wanted only as a soft dependency: like modprobe, a failure to load it is a warning. */
  optional: boolean;
  /** The names of the loads before it in the list that it needs first. */
  after: string[];
}

/** What a lookup resolves to: the files to load in order, the requested modules that need none, and the modules.dep read. */
export interface ResolvedLookup {
  loads: ModuleLoad[];
  skipped: SkippedModule[];
  depPath: string;
}

/** The module of `lookup` with its dependencies from the tree `readFile` sees; throws naming the tree when it cannot. */
export function resolveLookup(lookup: ModuleLookup, readFile: (path: string) => string | undefined, facts: ResolveModulesFacts = {}): ResolvedLookup {
  const modules = { mode: 'list' as const, directory: lookup.directory, names: [lookup.request] as [string], onFailure: 'Abort' as const, parallel: false, ...(lookup.depFilePath === undefined ? {} : { depFilePath: lookup.depFilePath }) };
  let resolved;
  try {
    resolved = resolveModules(modules, readFile, facts);
  } catch (error) {
    if (error instanceof ModuleResolveError) throw new Error(`module ${lookup.request}: ${error.message} (${error.depPath})`, { cause: error });
    throw error;
  }
  if (!resolved) {
    throw new Error(`module ${lookup.request}: cannot read ${lookup.depFilePath ?? 'modules.dep'} in ${moduleDirectories(modules, facts.kernelRelease).join(' or ')} of this root`);
  }
  const optional = new Set(resolved.order.optional);
  const loads = resolved.order.paths.map((path) => ({
    name: moduleName(path),
    path: `${resolved.directory}/${path}`,
    // Own property only: a module named `constructor` must not find Object's.
    parameters: Object.hasOwn(lookup.parameters, moduleName(path)) ? lookup.parameters[moduleName(path)]! : '',
    optional: optional.has(path),
    after: (resolved.order.after.get(path) ?? []).map(moduleName),
  }));
  return { loads, skipped: resolved.order.skipped, depPath: resolved.depPath };
}
