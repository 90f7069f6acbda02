// Reads what `bootstrap pack` prepared for this boot (src/plan/prepared-boot.ts): used only when this executable made
// it and it is whole; any other file is left alone with the reason, and the boot validates and plans itself.
import type { Config } from '../config/generated/config-types';
import { PREPARED_BOOT_FORMAT, PREPARED_BOOT_PATH, type PreparedBoot, type PreparedPlan } from '../plan/prepared-boot';
import { readOptional } from '../probe/read-optional';
import { versionAndBuild } from '../version';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlan(value: unknown): value is PreparedPlan {
  if (!isRecord(value)) return false;
  const { kernelRelease, builtin, loaded, reads, steps } = value;
  const textOrNull = (item: unknown): boolean => item === null || typeof item === 'string';
  return (
    typeof kernelRelease === 'string' &&
    textOrNull(builtin) &&
    textOrNull(loaded) &&
    Array.isArray(reads) &&
    reads.every((read) => Array.isArray(read) && read.length === 2 && typeof read[0] === 'string' && textOrNull(read[1])) &&
    Array.isArray(steps) &&
    steps.every(isRecord)
  );
}

/** The prepared boot at `path`, or why there is none to use (absent, another version's, damaged). */
export function readPreparedBoot(path: string = PREPARED_BOOT_PATH): PreparedBoot | string {
  const text = readOptional(path);
  return text === undefined ? `no ${path}` : parsePreparedBoot(text, path);
}

/** The prepared boot in `text` (read from `path`), or why it cannot be used. */
export function parsePreparedBoot(text: string, path: string): PreparedBoot | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return `${path} is not JSON`;
  }
  if (!isRecord(data) || data['format'] !== PREPARED_BOOT_FORMAT) return `${path} is not of format ${PREPARED_BOOT_FORMAT}`;
  if (data['version'] !== versionAndBuild) return `${path} was made by bootstrap ${String(data['version'])}, this is ${versionAndBuild}`;
  const { configText, config, plan } = data;
  if (typeof configText !== 'string' || !isRecord(config) || (plan !== undefined && !isPlan(plan))) return `${path} is damaged`;
  return { format: PREPARED_BOOT_FORMAT, version: versionAndBuild, configText, config: config as unknown as Config, ...(plan === undefined ? {} : { plan }) };
}

/** Whether the config read at boot is the very one prepared. */
export function isPreparedConfig(prepared: PreparedBoot, bytes: Uint8Array): boolean {
  return Buffer.from(prepared.configText).equals(bytes);
}
