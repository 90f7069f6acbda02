// Handler for `loadModule`: one module file, or a module planned for run time, first looked up with its dependencies in
// the module tree of the root the step runs in. Files go through one loader for the whole boot, which finds out once
// whether the kernel decompresses .ko.xz (.gz, .zst) itself and decompresses in user space where it does not.
import type { StepOf } from '../../plan/step';
import { kernelRelease } from '../../probe/kernel-release';
import { readOptional } from '../../probe/read-optional';
import { parseProcModules } from '../../modules/modules-dep';
import type { BaseContext } from '../context';
import { resolveLookup } from '../module-lookup';
import { createModuleFileLoader } from '../module-file-loader';
import { builtinParametersMessage } from '../../modules/builtin-parameters';
import { moduleLoadsAtOnce } from '../../sys/module';
import { earlierByName, runWhenReady } from '../run-when-ready';

// PID 1 boots once: what the loader learns about the kernel holds for every later module of this process.
const moduleFiles = createModuleFileLoader();

// Loads one file; true when the kernel already had the module.
async function loadFile(path: string, parameters: string, context: BaseContext): Promise<boolean> {
  return (await moduleFiles.load(path, parameters, context)) === 'already-loaded';
}

/** Loads one module, or a looked-up one with its dependencies; one already loaded counts as skipped, not failed. */
export async function loadModule(step: StepOf<'loadModule'>, context: BaseContext): Promise<{ skipped: string } | void> {
  if (step.path !== undefined) {
    if (await loadFile(step.path, step.parameters, context)) return { skipped: `module ${step.name} is already loaded` };
    return;
  }
  if (step.lookup === undefined) throw new Error(`module ${step.name}: no path (modules.dep was not read)`);
  const loaded = readOptional('/proc/modules');
  const { loads, skipped } = resolveLookup(step.lookup, readOptional, { kernelRelease: kernelRelease(), ...(loaded === undefined ? {} : { loaded: parseProcModules(loaded) }) });
  // Each load once the ones it needs are; a required one that fails starts no more and fails the step once the loads
  // already running have ended. Already loaded modules count as nothing loaded.
  const waits = earlierByName(loads);
  let failed = false;
  const results = await runWhenReady(
    loads.map((load, index) => ({
      after: waits[index]!,
      run: async (): Promise<{ loaded: boolean } | { error: unknown }> => {
        try {
          if (await loadFile(load.path, load.parameters, context)) return { loaded: false };
          context.log.info(`loaded module ${load.name} from ${load.path}${load.parameters ? ` with ${load.parameters}` : ''}`);
          return { loaded: true };
        } catch (error) {
          if (!load.optional) {
            failed = true;
            return { error };
          }
          context.log.warn(`module ${load.name}, a soft dependency of ${step.name}, failed to load: ${(error as Error).message}`);
          return { loaded: false };
        }
      },
    })),
    { width: step.lookup.parallel ? (context.moduleLoadsAtOnce ?? moduleLoadsAtOnce()) : 1, halted: () => failed },
  );
  const failure = results.find((result) => result !== undefined && 'error' in result);
  if (failure !== undefined && 'error' in failure) throw failure.error;
  const loadedAny = results.some((result) => result !== undefined && 'loaded' in result && result.loaded);
  for (const module of skipped) {
    // Own property only: a module named `constructor` must not find Object's.
    if (module.reason === 'builtin' && Object.hasOwn(step.lookup.parameters, module.name)) {
      context.log.warn(builtinParametersMessage(module.name, step.lookup.parameters[module.name] ?? ''));
    }
  }
  if (!loadedAny) return { skipped: `module ${step.name} is ${skipped.some((module) => module.reason === 'builtin') ? 'built into the kernel' : 'already loaded'}` };
}

/** A built-in module given parameters: nothing to load, and the parameters cannot be applied; its Warn policy reports it. */
export function builtinModule(step: StepOf<'builtinModule'>): never {
  throw new Error(builtinParametersMessage(step.name, step.parameters));
}
