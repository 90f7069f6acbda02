// `bootstrap plan FILE`: the dry run, the ordered steps a boot with this config would perform.
import { buildPlan, PlanError } from '../../plan/build-plan';
import { formatPlan } from '../../plan/format-plan';
import { expectPositionals, optionValue, parseArgs } from '../args';
import { readConfig } from '../read-config';
import { diagnosticsJson, diagnosticsText } from '../../config/format-diagnostics';
import { exitCode, type Verb } from '../verb';
import { resolve } from 'node:path';
import { innerConfig } from '../../subhost/inner-config';
import { describeSubhostStart } from '../../subhost/subhost-plan';
import { resolveSubhost } from '../../subhost/subhost-spec';

function formatSubhost(subhost: { host: string[]; inside: string[] }): string {
  const numbered = (lines: string[]): string => lines.map((line, index) => `  ${String(index + 1).padStart(2)}. ${line}\n`).join('');
  return `subhost start (on the host):\n${numbered(subhost.host)}PID 1 of the subhost, before its boot:\n${numbered(subhost.inside)}`;
}

export const planVerb: Verb = {
  name: 'plan',
  summary: 'print the ordered steps a boot with this config would perform (dry run)',
  help: `Usage: bootstrap plan FILE|- [--output text|json] [--kernel-release RELEASE]

Validates the config, then prints every step PID 1 would perform, in order:
automatic virtual filesystems, then per phase modules (in dependency order when
modules.dep is readable here), mounts, sysctl, symlinks, tmpfiles, environment
and hooks, then the root switch and the handoff. Nothing is changed. For a subhost
config, what 'subhost start' does on the host and PID 1 before its boot come first.

Options:
  --output text|json          text (default) or {"steps": [...]}; when the config is invalid,
                              unreadable or cannot be planned: {"valid": false, "errors": [...]}
                              as validate --output json prints them
  --kernel-release RELEASE    look for modules.dep under DIRECTORY/RELEASE too
  -h, --help                  show this help

Exit status: 0 planned, 1 invalid config or unplannable (an unknown module), 2 usage or I/O error.
`,
  run(args, io) {
    const parsed = parseArgs(args, { output: { value: true, choices: ['text', 'json'] }, 'kernel-release': { value: true } }, 'plan');
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const [file] = expectPositionals(parsed, ['FILE'], 'plan') as [string];
    const json = optionValue(parsed, 'output', 'text') === 'json';
    const { result, ioError } = readConfig(file, io);
    if (!result.config) {
      // A script asking for JSON gets JSON on every outcome: the diagnostics, as validate --output json gives them.
      if (json) io.stdout(diagnosticsJson(false, result.diagnostics, result.omitted));
      else io.stderr(diagnosticsText(file, result.valid, result.diagnostics, result.omitted));
      return ioError ? exitCode.usage : exitCode.invalid;
    }
    const kernelRelease = optionValue(parsed, 'kernel-release');
    try {
      const config = result.config;
      // A subhost's boot is PID 1's part after `subhost start` did the host's: its namespaces and root are not steps.
      const subhost = config.subhost ? describeSubhostStart(resolveSubhost(config, resolve(file === '-' ? 'stdin.yaml' : file))) : undefined;
      const steps = buildPlan(subhost ? innerConfig(config) : config, { readFile: io.readOptional, ...(kernelRelease ? { kernelRelease } : {}) });
      if (json) io.stdout(`${JSON.stringify({ ...(subhost ? { subhost } : {}), steps }, null, 2)}\n`);
      else io.stdout(`${subhost ? formatSubhost(subhost) : ''}${formatPlan(steps)}`);
      return exitCode.ok;
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      if (json) io.stdout(diagnosticsJson(false, [{ code: 'unplannable', severity: 'error', pointer: error.pointer, line: 0, column: 0, message: error.message }]));
      else io.stderr(`${file}: cannot plan ${error.pointer}: ${error.message}\n`);
      return exitCode.invalid;
    }
  },
};
