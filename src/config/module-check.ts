// Lint of a phase's modules against a readable module tree: unknown modules and dependency cycles.
import type { Modules } from './generated/config-types';
import type { Finding } from './diagnostic';
import { ModuleOrderError, type ModuleOrderReason } from '../modules/modules-dep';
import { ModuleResolveError, resolveModules } from '../modules/resolve-modules';

// A dependency modules.dep names but does not define is a module the tree lacks, as an unknown name is.
const orderCodes: Record<ModuleOrderReason, Finding['code']> = { cycle: 'module-cycle', unknown: 'module-unknown', 'missing-dependency': 'module-unknown' };

/** Findings for `modules.names`, resolved as the plan resolves them; none when no modules.dep can be read. */
export function checkModules(modules: NonNullable<Modules>, readFile: (path: string) => string | undefined, path: (string | number)[]): Finding[] {
  try {
    resolveModules(modules, readFile);
    return [];
  } catch (error) {
    if (!(error instanceof ModuleResolveError)) throw error;
    if (error.cause instanceof ModuleOrderError) {
      return [{ code: orderCodes[error.cause.reason], severity: 'error', path: [...path, 'names'], message: error.message }];
    }
    return [{ code: 'module-dep-unreadable', severity: 'warning', path: [...path, 'depFilePath'], message: `${error.message}; module order cannot be checked` }];
  }
}
