// What `bootstrap pack` works out ahead of the boot so PID 1 need not: the config validated and the plan made for
// the packed kernel's modules. PID 1 takes each part only when what it was made from is exactly what it reads at
// boot (the same config bytes, the same executable's version, the same kernel and module files); otherwise it
// validates and plans as without it.
import type { Config } from '../config/generated/config-types';
import { parseModulesBuiltin, parseProcModules } from '../modules/modules-dep';
import { buildPlan } from './build-plan';
import type { Step } from './step';

/** Where the image holds it, beside the config at DEFAULT_CONFIG_PATH. */
export const PREPARED_BOOT_PATH = '/etc/bootstrap/prepared.json';

/** Changes whenever the file's meaning changes; a file of another format is not used. */
export const PREPARED_BOOT_FORMAT = 1;

/** What a plan is made from at boot: the running kernel and the files it reads. */
export interface PlanInputs {
  kernelRelease: string;
  /** modules.builtin of that kernel's tree; undefined when absent. */
  builtin: string | undefined;
  /** /proc/modules; undefined when absent. */
  loaded: string | undefined;
  /** Reads a file (modules.dep and what the module lookup needs); undefined when it cannot. */
  readFile: (path: string) => string | undefined;
}

/** A plan made ahead, with every input it was made from (null: absent), to compare with the boot's. */
export interface PreparedPlan {
  kernelRelease: string;
  builtin: string | null;
  loaded: string | null;
  /** Each file the plan read, with its text, in the order read. */
  reads: [string, string | null][];
  steps: Step[];
}

export interface PreparedBoot {
  format: typeof PREPARED_BOOT_FORMAT;
  /** The version and build of the executable that made it, which is the one packed as /init. */
  version: string;
  /** The config's bytes as UTF-8 text; the prepared config is used only for exactly these. */
  configText: string;
  /** The config as validation makes it (defaults filled in). */
  config: Config;
  /** Absent when the image holds no modules tree to plan with, or the plan failed (the boot then says why). */
  plan?: PreparedPlan;
}

/** The boot's plan from its inputs, as PID 1 makes it. */
export function planWith(config: Config, inputs: PlanInputs): Step[] {
  return buildPlan(config, {
    readFile: inputs.readFile,
    kernelRelease: inputs.kernelRelease,
    requireModulesDep: true,
    ...(inputs.builtin === undefined ? {} : { builtin: parseModulesBuiltin(inputs.builtin) }),
    ...(inputs.loaded === undefined ? {} : { loaded: parseProcModules(inputs.loaded) }),
  });
}

/** Plans ahead, noting every file read; throws what buildPlan throws. */
export function preparePlan(config: Config, inputs: PlanInputs): PreparedPlan {
  const reads: [string, string | null][] = [];
  const readFile = (path: string): string | undefined => {
    const text = inputs.readFile(path);
    reads.push([path, text ?? null]);
    return text;
  };
  const steps = planWith(config, { ...inputs, readFile });
  return { kernelRelease: inputs.kernelRelease, builtin: inputs.builtin ?? null, loaded: inputs.loaded ?? null, reads, steps };
}

/** The prepared steps when every input matches the boot's; otherwise what differs, in words. */
export function preparedSteps(plan: PreparedPlan, inputs: PlanInputs): Step[] | string {
  if (plan.kernelRelease !== inputs.kernelRelease) return `it was made for kernel ${plan.kernelRelease}, this is ${inputs.kernelRelease}`;
  if (plan.builtin !== (inputs.builtin ?? null)) return `modules.builtin of ${inputs.kernelRelease} differs`;
  if (plan.loaded !== (inputs.loaded ?? null)) return 'the loaded modules (/proc/modules) differ';
  for (const [path, text] of plan.reads) {
    if ((inputs.readFile(path) ?? null) !== text) return `${path} differs`;
  }
  return plan.steps;
}

/**
 * Whether JSON.stringify then JSON.parse gives back an equal value: plain objects and arrays of strings, finite
 * numbers, booleans and null. A property whose value is undefined is dropped, which the code reading steps and
 * configs treats alike; anything else (Infinity, a Map, undefined in an array) makes a value unfit to prepare.
 */
export function survivesJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => item !== undefined && survivesJson(item, depth + 1));
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((item) => item === undefined || survivesJson(item, depth + 1));
}

/** Prepares a config's boot; undefined when the config or its plan cannot round-trip through JSON. */
export function prepareBoot(version: string, configText: string, config: Config, inputs: PlanInputs | undefined): PreparedBoot | undefined {
  if (!survivesJson(config)) return undefined;
  const prepared: PreparedBoot = { format: PREPARED_BOOT_FORMAT, version, configText, config };
  if (inputs === undefined) return prepared;
  let plan: PreparedPlan;
  try {
    plan = preparePlan(config, inputs);
  } catch {
    // The boot plans again and reports the failure where it belongs: on the console, at boot.
    return prepared;
  }
  return survivesJson(plan) ? { ...prepared, plan } : prepared;
}
