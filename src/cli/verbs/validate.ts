// `bootstrap validate FILE|-`: every problem of a config at once, with line:column, code and hint.
import { optionValue, expectPositionals, parseArgs } from '../args';
import { readConfig } from '../read-config';
import { diagnosticsJson, diagnosticsText } from '../../config/format-diagnostics';
import { exitCode, type Verb } from '../verb';

export const validateVerb: Verb = {
  name: 'validate',
  summary: 'check a config file and report every problem with its line and column',
  help: `Usage: bootstrap validate FILE|- [--output text|json]

Checks a config against the schema and for contradictions the schema cannot see
(a noExec root with a handoff, relative program paths, duplicate mount targets,
module dependency cycles when modules.dep is readable). Reports every problem at once: the first
100 in text order, then how many more there are.

Options:
  --output text|json   text (default): FILE:LINE:COLUMN: SEVERITY CODE: MESSAGE
                       json: {"valid": bool, "errors": [{code, severity, pointer, line, column, message}],
                              "omitted": {errors, warnings}} (omitted only when more than 100 were found)
  -h, --help           show this help

Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable file.
`,
  run(args, io) {
    const parsed = parseArgs(args, { output: { value: true, choices: ['text', 'json'] } }, 'validate');
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    const [file] = expectPositionals(parsed, ['FILE'], 'validate') as [string];
    const { result, ioError } = readConfig(file, io);
    const json = optionValue(parsed, 'output', 'text') === 'json';
    const out = ioError && !json ? io.stderr : io.stdout;
    out(json ? diagnosticsJson(result.valid, result.diagnostics, result.omitted) : diagnosticsText(file, result.valid, result.diagnostics, result.omitted));
    return ioError ? exitCode.usage : result.valid ? exitCode.ok : exitCode.invalid;
  },
};
