// Lint of a phase's modules against a readable module tree: unknown modules and dependency cycles.
import type { Modules } from './generated/config-types';
import type { Finding } from './diagnostic';
import { ModuleOrderError } from '../modules/modules-dep';
import { ModuleResolveError, resolveModules } from '../modules/resolve-modules';

/** Findings for `modules.names`, resolved as the plan resolves them; none when no modules.dep can be read. */
export function checkModules(modules: NonNullable<Modules>, readFile: (path: string) => string | undefined, path: (string | number)[]): Finding[] {
  try {
    resolveModules(modules, readFile);
    return [];
  } catch (error) {
    if (!(error instanceof ModuleResolveError)) throw error;
    if (error.cause instanceof ModuleOrderError) {
      const cycle = error.message.includes('cycle');
      return [{ code: cycle ? 'module-cycle' : 'module-unknown', severity: 'error', path: [...path, 'names'], message: error.message }];
    }
    return [{ code: 'module-dep-unreadable', severity: 'warning', path: [...path, 'depFilePath'], message: `${error.message}; module order cannot be checked` }];
  }
}
