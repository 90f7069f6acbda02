// `bootstrap __exec-as`: internal. posix_spawn cannot change a child's user, so the supervisor starts a
// service with `user`/`group` through this: drop to the ids, then exec the service's program.
import { realSys } from '../../sys/index';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import type { Verb } from '../verb';

/** The verb's name; internal verbs start with `__` and are left out of `bootstrap --help`. */
export const EXEC_AS = '__exec-as';

function ids(text: string | undefined, option: string): number[] {
  if (text === undefined || text === '') return [];
  const values = text.split(',').map(Number);
  if (values.some((value) => !Number.isInteger(value) || value < 0)) throw new UsageError(`--${option} takes numeric ids, not ${JSON.stringify(text)}`, EXEC_AS);
  return values;
}

export const execAsVerb: Verb = {
  name: EXEC_AS,
  summary: 'internal: run a program as another user (used by the supervisor)',
  help: `Usage: bootstrap ${EXEC_AS} --uid UID --gid GID [--groups GID,...] -- PROGRAM [ARGUMENTS]

Internal to the supervisor: sets the supplementary groups, the group and the user, then replaces
itself with PROGRAM. Exit status 126 when the ids cannot be set, 127 when PROGRAM cannot be run.
`,
  run(args, io) {
    const separator = args.indexOf('--');
    if (separator < 0) throw new UsageError('-- PROGRAM is required', EXEC_AS);
    const parsed = parseArgs(args.slice(0, separator), { uid: { value: true }, gid: { value: true }, groups: { value: true } }, EXEC_AS);
    if (parsed.help) {
      io.stdout(this.help);
      return 0;
    }
    expectPositionals(parsed, [], EXEC_AS);
    const [program, ...rest] = args.slice(separator + 1);
    const [uid] = ids(optionValue(parsed, 'uid'), 'uid');
    const [gid] = ids(optionValue(parsed, 'gid'), 'gid');
    if (program === undefined || uid === undefined || gid === undefined) throw new UsageError('--uid, --gid and a program are required', EXEC_AS);
    try {
      realSys.changeIdentity({ uid, gid, groups: ids(optionValue(parsed, 'groups'), 'groups') });
    } catch (error) {
      io.stderr(`bootstrap: cannot run ${program} as uid ${uid} gid ${gid}: ${(error as Error).message}\n`);
      return 126;
    }
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    try {
      return realSys.execve({ path: program, argv: [program, ...rest], env });
    } catch (error) {
      io.stderr(`bootstrap: cannot run ${program}: ${(error as Error).message}\n`);
      return 127;
    }
  },
};
