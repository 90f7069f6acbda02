// Dispatches `bootstrap VERB ...` and turns every failure into a message and an exit code, never a stack trace.
import { UsageError } from './args';
import type { CliIo } from './io';
import { exitCode, type Verb } from './verb';
import { configTemplateVerb } from './verbs/config-template';
import { planVerb } from './verbs/plan';
import { validateVerb } from './verbs/validate';
import { closest } from '../config/suggest';
import { verbSummaries } from './verb-summaries';
import { version } from '../version';

/**
 * A verb whose code is loaded when it runs: the host verbs people run most (validate, plan) start
 * without evaluating the packer, the supervisor or the control client, and their modules (zlib, net).
 */
function lazyVerb(name: string, summary: string, load: () => Promise<Verb>): Verb {
  return {
    name,
    summary,
    help: '',
    run: async (args, io) => (await load()).run(args, io),
  };
}

const verbs: readonly Verb[] = [
  validateVerb,
  configTemplateVerb,
  planVerb,
  lazyVerb('pack', verbSummaries.pack, async () => (await import('./verbs/pack')).packVerb),
  lazyVerb('boot', verbSummaries.boot, async () => (await import('./verbs/boot')).bootVerb),
  lazyVerb('supervise', verbSummaries.supervise, async () => (await import('./verbs/supervise')).superviseVerb),
  lazyVerb('ctl', verbSummaries.ctl, async () => (await import('./verbs/ctl')).ctlVerb),
  lazyVerb('vm', verbSummaries.vm, async () => (await import('./verbs/vm')).vmVerb),
  lazyVerb('subhost', verbSummaries.subhost, async () => (await import('./verbs/subhost')).subhostVerb),
  lazyVerb('__subhost-init', 'internal', async () => (await import('./verbs/subhost-init')).subhostInitVerb),
  lazyVerb('__exec-as', 'internal', async () => (await import('./verbs/exec-as')).execAsVerb),
  lazyVerb('__boot-in-namespaces', 'internal', async () => (await import('./verbs/boot-in-namespaces')).bootInNamespacesVerb),
];

/** The names of the verbs this dispatcher runs, in order (src/cli/verb-names.ts lists the same). */
export const dispatchedVerbNames: readonly string[] = verbs.map((verb) => verb.name);

function mainHelp(): string {
  const listed = verbs.filter((verb) => !verb.name.startsWith('__'));
  const width = Math.max(...listed.map((verb) => verb.name.length));
  return `bootstrap ${version}: a declarative-YAML init for initramfs and QEMU guests

Usage: bootstrap VERB [OPTIONS]
       bootstrap VERB --help

Verbs:
${listed.map((verb) => `  ${verb.name.padEnd(width)}  ${verb.summary}`).join('\n')}

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
    if (topic) return topic.run(['--help'], io);
    io.stdout(mainHelp());
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
