// The util-linux command lines that create a subhost's namespaces and enter them. Node is multi-threaded:
// unshare(2) of a mount or user namespace is refused to a multi-threaded process (EINVAL) and setns(2) into a
// mount namespace too, so the namespaces are made by unshare(1) and entered by nsenter(1), single-threaded
// programs, which then exec bootstrap or the user's command inside. Pure: argv in, argv out.
import type { NamespaceName } from '../config/generated/config-types';
import { namespaceOptions } from '../namespaces/unshare-argv';

const NAMESPACE_OPTION: ReadonlyMap<NamespaceName, string> = new Map(namespaceOptions);

export interface LaunchCommand {
  unshare: string;
  nsenter: string;
  namespaces: readonly NamespaceName[];
  /** The named network namespace: created (bound to this file) on a first start, joined on a resume. */
  netns: string | undefined;
  /** A resume after hibernation joins the network namespace that stayed instead of creating one. */
  resume: boolean;
  /** What runs as PID 1 inside. */
  argv: readonly string[];
}

/** The argv that starts PID 1 in new namespaces (the mount namespace private, so nothing propagates back to the host). */
export function launchArgv(command: LaunchCommand): string[] {
  const unshare = [command.unshare, '--fork'];
  for (const name of command.namespaces) {
    if (name === 'net' && command.netns !== undefined) {
      if (!command.resume) unshare.push(`--net=${command.netns}`);
      continue;
    }
    unshare.push(NAMESPACE_OPTION.get(name)!);
  }
  if (command.namespaces.includes('mount')) unshare.push('--propagation', 'private');
  // Until `start` writes the id maps, PID 1 has no ids in its user namespace; keeping its capabilities (ambient)
  // lets it become the namespace's root once they are written.
  if (command.namespaces.includes('user')) unshare.push('--keep-caps');
  unshare.push('--', ...command.argv);
  if (command.resume && command.netns !== undefined && command.namespaces.includes('net')) return [command.nsenter, `--net=${command.netns}`, '--', ...unshare];
  return unshare;
}

/** The argv that runs `command` in every namespace of the process `pid`, with its root and working directory. */
export function enterArgv(nsenter: string, pid: number, namespaces: readonly NamespaceName[], command: readonly string[]): string[] {
  const argv = [nsenter, `--target=${pid}`];
  for (const name of namespaces) argv.push(NAMESPACE_OPTION.get(name)!);
  // Without a directory, --root and --wd take the target's: the subhost's / after its PID 1 switched into it.
  argv.push('--root', '--wd', '--', ...command);
  return argv;
}
