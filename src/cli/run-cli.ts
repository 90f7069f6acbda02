// Dispatches `bootstrap VERB ...` and turns every failure into a message and an exit code, never a stack trace.
import { UsageError } from './args';
import type { CliIo } from './io';
import { exitCode, type Verb } from './verb';
import { bootVerb } from './verbs/boot';
import { configTemplateVerb } from './verbs/config-template';
import { ctlVerb } from './verbs/ctl';
import { packVerb } from './verbs/pack';
import { planVerb } from './verbs/plan';
import { superviseVerb } from './verbs/supervise';
import { validateVerb } from './verbs/validate';
import { closest } from '../config/suggest';

/** The product version, set at build time from package.json. */
declare const BOOTSTRAP_VERSION: string | undefined;
export const version = typeof BOOTSTRAP_VERSION === 'string' ? BOOTSTRAP_VERSION : 'development';

const verbs: readonly Verb[] = [validateVerb, configTemplateVerb, planVerb, packVerb, bootVerb, superviseVerb, ctlVerb];

/** Whether `word` is a verb: as PID 1 anything else is a kernel argument, and bootstrap boots. */
export function isVerb(word: string | undefined): boolean {
  return word === '--help' || word === '--version' || verbs.some((verb) => verb.name === word);
}

function mainHelp(): string {
  const width = Math.max(...verbs.map((verb) => verb.name.length));
  return `bootstrap ${version}: a declarative-YAML init for initramfs and QEMU guests

Usage: bootstrap VERB [OPTIONS]
       bootstrap VERB --help

Verbs:
${verbs.map((verb) => `  ${verb.name.padEnd(width)}  ${verb.summary}`).join('\n')}

Options:
  --version   print the version
  -h, --help  show this help

Exit status: 0 ok, 1 invalid input or failed check, 2 usage or I/O error.
`;
}

/** Runs the CLI with `args` (argv without node and script); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? verbs.find((verb) => verb.name === rest[0]) : undefined;
    io.stdout(topic ? topic.help : mainHelp());
    return first === undefined ? exitCode.usage : exitCode.ok;
  }
  if (first === '--version') {
    io.stdout(`${version}\n`);
    return exitCode.ok;
  }
  const verb = verbs.find((candidate) => candidate.name === first);
  try {
    if (!verb) {
      const guess = closest(first, verbs.map((candidate) => candidate.name));
      throw new UsageError(`unknown verb ${JSON.stringify(first)}${guess ? `; did you mean ${guess}?` : ''}`);
    }
    return await verb.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`bootstrap${error.verb ? ` ${error.verb}` : ''}: ${error.message}\nTry 'bootstrap ${error.verb ? `${error.verb} ` : ''}--help'.\n`);
      return exitCode.usage;
    }
    throw error;
  }
}
