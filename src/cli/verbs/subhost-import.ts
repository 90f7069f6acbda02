// `bootstrap subhost import FILE.conf`: an overlay-boot subhost as a bootstrap config, commented with where each value came from.
import { dirname, extname, resolve } from 'node:path';
import { runConfCommand } from '../../subhost/conf-command';
import { confToConfig } from '../../subhost/conf-to-config';
import { confDiagnosticsText, formatConfDiagnostic, parseOverlayConf, type ConfDiagnostic } from '../../subhost/overlay-conf';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import type { CliIo } from '../io';
import { exitCode } from '../verb';

const VERB = 'subhost import';

export const subhostImportHelp = `Usage: bootstrap subhost import FILE.conf [--output yaml|json]

Reads an overlay-boot(8) subhost configuration (NAME=value lines; a value starting with "!"
is a command whose output is the value: it is run now, with /bin/sh -c in the file's directory,
10 s at most) and prints the same subhost as a bootstrap config, each value commented with the
variable and line it came from, or whose default it is. Save it beside the .conf:
  bootstrap subhost import /opt/subhost/mta/mta.conf > /opt/subhost/mta/mta.yaml
base and the root's paths are relative to that directory, as BASE is. How each variable maps,
and what is not supported yet (CABLES): docs/subhost-conf.md.

Options:
  --output yaml|json   yaml (default): the commented config
                       json: {"valid": bool, "errors": [{code, severity, line, message}], "config": {...}}
                             (config as the YAML has it; absent when there is none)
  -h, --help           show this help

Exit status: 0 converted; 1 the .conf is invalid, or asks for what bootstrap cannot do yet
(CABLES: the config is still printed, the reason in a comment at its top and on stderr);
2 usage error or unreadable file.
`;

/** Runs `bootstrap subhost import ARGS`; resolves to the exit code. Usage errors are printed here, as by runCli. */
export function runSubhostImport(args: string[], io: CliIo): Promise<number> {
  try {
    return Promise.resolve(importConf(args, io));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`bootstrap ${VERB}: ${error.message}\nTry 'bootstrap ${VERB} --help'.\n`);
    return Promise.resolve(exitCode.usage);
  }
}

function importConf(args: readonly string[], io: CliIo): number {
  const parsed = parseArgs(args, { output: { value: true, choices: ['yaml', 'json'] } }, VERB);
  if (parsed.help) {
    io.stdout(subhostImportHelp);
    return exitCode.ok;
  }
  const [path] = expectPositionals(parsed, ['FILE.conf'], VERB) as [string];
  if (path === '-') throw new UsageError("FILE.conf is read from a file, not standard input: BASE is relative to the file's directory", VERB);
  if (['.yaml', '.yml'].includes(extname(path))) throw new UsageError(`${path} is named as a YAML config; import reads an overlay-boot .conf (check a YAML config with bootstrap validate)`, VERB);
  const json = optionValue(parsed, 'output', 'yaml') === 'json';
  const fail = (diagnostics: readonly ConfDiagnostic[], code: number): number => {
    if (json) io.stdout(jsonOutput(false, diagnostics, undefined));
    else io.stderr(confDiagnosticsText(path, diagnostics));
    return code;
  };

  const read = io.readInput(path);
  if (!read.ok) return fail([{ line: 0, severity: 'error', code: 'io-error', message: read.error.message }], exitCode.usage);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    return fail([{ line: 0, severity: 'error', code: 'not-text', message: 'the file is not UTF-8 text; an overlay-boot .conf is lines of NAME=value' }], exitCode.invalid);
  }
  const file = resolve(path);
  const { conf, diagnostics } = parseOverlayConf(text, { file, runCommand: (command) => runConfCommand(command, dirname(file)) });
  if (!conf) return fail(diagnostics, exitCode.invalid);
  const converted = confToConfig(conf);
  if (!converted.ok) return fail([...diagnostics, ...converted.diagnostics], exitCode.invalid);
  const { yaml, data, warnings } = converted.conversion;
  const found = [...diagnostics, ...warnings].sort((a, b) => a.line - b.line);
  if (json) {
    io.stdout(jsonOutput(true, found, data));
  } else {
    io.stdout(yaml);
    if (found.length > 0) io.stderr(found.map((diagnostic) => `${formatConfDiagnostic(path, diagnostic)}\n`).join(''));
  }
  return exitCode.ok;
}

function jsonOutput(valid: boolean, diagnostics: readonly ConfDiagnostic[], config: unknown): string {
  const errors = diagnostics.map(({ code, severity, line, message }) => ({ code, severity, line, message }));
  return `${JSON.stringify({ valid, errors, ...(config === undefined ? {} : { config }) }, null, 2)}\n`;
}
