// `bootstrap plan FILE`: the dry run, the ordered steps a boot with this config would perform.
import { buildPlan, PlanError } from '../../plan/build-plan';
import { formatPlan } from '../../plan/format-plan';
import { expectPositionals, optionValue, parseArgs } from '../args';
import { readConfig } from '../read-config';
import { diagnosticsJson, diagnosticsText } from '../../config/format-diagnostics';
import { exitCode, type Verb } from '../verb';

export const planVerb: Verb = {
  name: 'plan',
  summary: 'print the ordered steps a boot with this config would perform (dry run)',
  help: `Usage: bootstrap plan FILE|- [--output text|json] [--kernel-release RELEASE]

Validates the config, then prints every step PID 1 would perform, in order:
automatic virtual filesystems, then per phase modules (in dependency order when
modules.dep is readable here), mounts, sysctl, symlinks, tmpfiles, environment
and hooks, then the root switch and the handoff. Nothing is changed.

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
      const steps = buildPlan(result.config, { readFile: io.readOptional, ...(kernelRelease ? { kernelRelease } : {}) });
      io.stdout(json ? `${JSON.stringify({ steps }, null, 2)}\n` : formatPlan(steps));
      return exitCode.ok;
    } catch (error) {
      if (!(error instanceof PlanError)) throw error;
      if (json) io.stdout(diagnosticsJson(false, [{ code: 'unplannable', severity: 'error', pointer: error.pointer, line: 0, column: 0, message: error.message }]));
      else io.stderr(`${file}: cannot plan ${error.pointer}: ${error.message}\n`);
      return exitCode.invalid;
    }
  },
};
