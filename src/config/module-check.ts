// Lint of a phase's modules against a readable modules.dep: unknown modules and dependency cycles.
import type { Modules } from './generated/config-types';
import type { Finding } from './diagnostic';
import { loadOrder, ModuleOrderError, ModulesDepError, parseModulesDep } from '../modules/modules-dep';

/** Findings for `modules.names` given the text of its modules.dep. */
export function checkModules(modules: NonNullable<Modules>, depText: string, path: (string | number)[]): Finding[] {
  try {
    loadOrder(modules.names, parseModulesDep(depText));
    return [];
  } catch (error) {
    if (error instanceof ModuleOrderError) {
      const cycle = error.message.includes('cycle');
      return [{ code: cycle ? 'module-cycle' : 'module-unknown', severity: 'error', path: [...path, 'names'], message: error.message }];
    }
    if (error instanceof ModulesDepError) {
      return [{ code: 'module-dep-unreadable', severity: 'warning', path: [...path, 'depFilePath'], message: `${error.message}; module order cannot be checked` }];
    }
    throw error;
  }
}
