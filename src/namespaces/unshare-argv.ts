// The util-linux unshare(1) command line that creates a set of namespaces and runs a program in them. Pure.
import type { NamespaceName } from '../config/generated/config-types';

/** unshare(1)'s option for each kind of namespace (nsenter(1) takes the same), in the order the command line lists them. */
export const namespaceOptions: ReadonlyArray<readonly [NamespaceName, string]> = [
  ['user', '--user'],
  ['mount', '--mount'],
  ['uts', '--uts'],
  ['ipc', '--ipc'],
  ['net', '--net'],
  ['pid', '--pid'],
  ['cgroup', '--cgroup'],
];

/** What to create and what to run in it. */
export interface UnshareCommand {
  /** The path of util-linux unshare(1) (see findUnshare). */
  unshare: string;
  namespaces: readonly NamespaceName[];
  /** Bind a namespace to a file so it outlives its processes (unshare --net=FILE); the file must exist. */
  persist?: { net?: string };
  /** The program (an absolute path: unshare searches PATH otherwise) and its arguments. */
  argv: readonly string[];
}

/** The argv that runs `command.argv` in new namespaces; throws RangeError on a command that cannot work. */
export function unshareArgv(command: UnshareCommand): string[] {
  const wanted = new Set(command.namespaces);
  if (wanted.size === 0) throw new RangeError('namespaces: the list is empty; there is nothing to create');
  const program = command.argv[0];
  if (program === undefined || !program.startsWith('/')) throw new RangeError(`namespaces: the program must be an absolute path, got ${JSON.stringify(program ?? '')}`);
  const persistNet = command.persist?.net;
  if (persistNet !== undefined && (!wanted.has('net') || !persistNet.startsWith('/'))) {
    throw new RangeError(`namespaces: persist.net (${JSON.stringify(persistNet)}) needs an absolute path and \`net\` among the namespaces`);
  }
  const argv = [command.unshare];
  for (const [name, option] of namespaceOptions) {
    if (!wanted.has(name)) continue;
    argv.push(name === 'net' && persistNet !== undefined ? `${option}=${persistNet}` : option);
  }
  // unshare(2) of a PID namespace moves only the children that follow into it: unshare(1) forks, and the program
  // is PID 1 of the new namespace. (unshare then waits with SIGINT and SIGTERM blocked and never forwards them,
  // measured with util-linux 2.38: signals must go to the program itself, see NamespacedChild.initPid.)
  if (wanted.has('pid')) argv.push('--fork');
  // The program starts before its ids are mapped (the parent writes the maps once it runs), so its execve computes
  // no capabilities for it in the new user namespace; kept as ambient capabilities, they let it become the
  // namespace's root once the maps exist (setuid(0) needs CAP_SETUID there).
  if (wanted.has('user')) argv.push('--keep-caps');
  if (wanted.has('mount')) argv.push('--propagation', 'private');
  argv.push('--', ...command.argv);
  return argv;
}
