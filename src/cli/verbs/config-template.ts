// `bootstrap config-template --mode MODE`: a commented config to start from, valid as printed.
import execTemplate from '../../../templates/exec.yaml';
import shellTemplate from '../../../templates/shell.yaml';
import superviseTemplate from '../../../templates/supervise.yaml';
import { optionValue, expectPositionals, parseArgs } from '../args';
import { exitCode, type Verb } from '../verb';

/** The templates by handoff mode. */
export const templates = { shell: shellTemplate, supervise: superviseTemplate, exec: execTemplate } as const;

export const configTemplateVerb: Verb = {
  name: 'config-template',
  summary: 'print a commented config to start from',
  help: `Usage: bootstrap config-template [--mode shell|supervise|exec]

Prints a commented YAML config for a QEMU guest with a virtiofs root, ending in
the chosen handoff (default: shell). The output is valid as printed:
  bootstrap config-template --mode exec > bootstrap.yaml && bootstrap validate bootstrap.yaml

Options:
  --mode shell|supervise|exec   the handoff: an interactive shell, the built-in
                                process supervisor, or exec of one program
  -h, --help                    show this help

Exit status: 0, or 2 on a usage error.
`,
  run(args, io) {
    const parsed = parseArgs(args, { mode: { value: true, choices: Object.keys(templates) } }, 'config-template');
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    expectPositionals(parsed, [], 'config-template');
    io.stdout(templates[optionValue(parsed, 'mode', 'shell') as keyof typeof templates]);
    return exitCode.ok;
  },
};
