// The one way a subhost's config is loaded: an overlay-boot .conf (read, its !commands run, converted) or a YAML
// config with a `subhost` section (read and validated as every config is), both with the same bounds and messages.
import { basename, dirname, extname, resolve } from 'node:path';
import type { Config } from '../config/generated/config-types';
import { diagnosticLine, diagnosticsText } from '../config/format-diagnostics';
import { checkModules } from '../config/module-check';
import { readConfigFile } from '../config/read-config-file';
import { validateConfigText } from '../config/validate-config';
import { readOptional } from '../probe/read-optional';
import { runConfCommand } from './conf-command';
import { confToConfig } from './conf-to-config';
import { confDiagnosticsText, formatConfDiagnostic, parseOverlayConf, type ConfDiagnostic, type ParseOverlayConfOptions } from './overlay-conf';
import { parseSubhostName } from './subhost-name';

/** A subhost's config, loaded and valid. */
export interface LoadedSubhost {
  config: Config;
  /** Absolute path of the config. */
  file: string;
  format: 'yaml' | 'conf';
  /** The subhost's name: subhost.name (NAME), or the file's base name without its extension. */
  name: string;
  /** The subhost's directory, absolute: subhost.base (BASE) from the config file's directory. */
  base: string;
}

export type LoadSubhostResult =
  | { ok: true; loaded: LoadedSubhost; warnings: string[] }
  /** `message` is the diagnostics as the verbs print them (file:line: ...), ending in a newline; `ioError` means exit 2. */
  | { ok: false; ioError: boolean; message: string };

export interface LoadSubhostOptions {
  /** Runs a .conf's `!command`; by default /bin/sh -c in the file's directory, bounded in time and output. */
  runCommand?: ParseOverlayConfOptions['runCommand'];
}

/** Loads the subhost config at `path`: a `.conf` (by its extension) as overlay-boot reads it, anything else as YAML. */
export function loadSubhostConfig(path: string, options: LoadSubhostOptions = {}): LoadSubhostResult {
  // A subhost's paths are relative to its config file's directory: standard input has none.
  if (path === '-') return { ok: false, ioError: true, message: "-: a subhost config is read from a file, not standard input: its base is relative to the file's directory\n" };
  const read = readConfigFile(path);
  if (!read.ok) return { ok: false, ioError: true, message: `${read.error.message}\n` };
  const file = resolve(path);
  return extname(file) === '.conf' ? loadConf(path, file, read.bytes, options) : loadYaml(path, file, read.bytes);
}

function loadConf(path: string, file: string, bytes: Uint8Array, options: LoadSubhostOptions): LoadSubhostResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const message = 'the file is not UTF-8 text; an overlay-boot .conf is lines of NAME=value';
    return { ok: false, ioError: false, message: confDiagnosticsText(path, [{ line: 0, severity: 'error', code: 'not-text', message }]) };
  }
  const runCommand = options.runCommand ?? ((command: string) => runConfCommand(command, dirname(file)));
  const parsed = parseOverlayConf(text, { file, runCommand });
  if (!parsed.conf) return { ok: false, ioError: false, message: confDiagnosticsText(path, parsed.diagnostics) };
  const converted = confToConfig(parsed.conf);
  if (!converted.ok) return { ok: false, ioError: false, message: confDiagnosticsText(path, [...parsed.diagnostics, ...converted.diagnostics]) };
  const { config, warnings } = converted.conversion;
  const found: ConfDiagnostic[] = [...parsed.diagnostics, ...warnings];
  const name = config.subhost?.name ?? parsed.conf.name;
  return { ok: true, loaded: { config, file, format: 'conf', name, base: resolve(dirname(file), config.subhost?.base ?? '.') }, warnings: found.map((diagnostic) => formatConfDiagnostic(path, diagnostic)) };
}

function loadYaml(path: string, file: string, bytes: Uint8Array): LoadSubhostResult {
  const result = validateConfigText(bytes, { readFile: readOptional, checkModules });
  if (!result.config) return { ok: false, ioError: false, message: diagnosticsText(path, result.valid, result.diagnostics, result.omitted) };
  const { config } = result;
  if (!config.subhost) return { ok: false, ioError: false, message: `${path}: not a subhost config: it has no \`subhost\` section\n` };
  let name = config.subhost.name;
  if (name === undefined) {
    const fromFile = parseSubhostName(basename(file, extname(file)));
    if (!fromFile.ok) return { ok: false, ioError: false, message: `${path}: error invalid-value: subhost.name is not set, and the file name gives none: ${fromFile.problem}; set subhost.name\n` };
    name = fromFile.value;
  }
  const warnings = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'warning').map((diagnostic) => diagnosticLine(path, diagnostic));
  return { ok: true, loaded: { config, file, format: 'yaml', name, base: resolve(dirname(file), config.subhost.base) }, warnings };
}
