// Who a service runs as: `user` and `group` resolved to ids from the running root's /etc/passwd and /etc/group.
import { readFileSync } from 'node:fs';
import { idOf, primaryGroupOf, supplementaryGroupsOf, userNameOf } from '../probe/passwd';

export interface Identity {
  uid: number;
  gid: number;
  groups: number[];
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// A user or group given by number (also as a string of digits) or by name.
function idIn(text: string, value: number | string): number | undefined {
  return typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : idOf(text, value);
}

/**
 * The ids for a service's `user`/`group`, or an error message. A user's group defaults to its primary group,
 * and its supplementary groups come from /etc/group, as login(1) would set them.
 */
export function resolveIdentity(user: number | string | undefined, group: number | string | undefined, files: { passwd?: string; group?: string } = {}): Identity | string {
  const passwd = files.passwd ?? read('/etc/passwd');
  const groups = files.group ?? read('/etc/group');
  let uid = 0;
  if (user !== undefined) {
    const id = idIn(passwd, user);
    if (id === undefined) return `user ${user} is not in /etc/passwd`;
    uid = id;
  }
  let gid: number | undefined;
  if (group !== undefined) {
    gid = idIn(groups, group);
    if (gid === undefined) return `group ${group} is not in /etc/group`;
  } else if (user !== undefined) {
    gid = primaryGroupOf(passwd, user) ?? uid;
  }
  const name = typeof user === 'string' && !/^\d+$/.test(user) ? user : userNameOf(passwd, uid);
  const supplementary = name === undefined ? [] : supplementaryGroupsOf(groups, name);
  return { uid, gid: gid ?? 0, groups: [...new Set([gid ?? 0, ...supplementary])] };
}

/** Set by esbuild's `define` when building the single executable. */
declare const BOOTSTRAP_BUNDLED: boolean | undefined;

/**
 * How to run bootstrap itself again (for `__exec-as`): the executable through /proc/PID/exe, which still
 * works after the initramfs holding it was deleted; in development, Node with the TypeScript entry point.
 */
function selfCommand(): string[] {
  if (typeof BOOTSTRAP_BUNDLED !== 'undefined' && BOOTSTRAP_BUNDLED) return [`/proc/${process.pid}/exe`];
  return [process.execPath, '--import', 'tsx', new URL('../main.ts', import.meta.url).pathname];
}

/** argv that runs `program` with `args` as `identity`, through bootstrap's `__exec-as`. */
export function execAsArgv(identity: Identity, program: string, args: readonly string[]): string[] {
  return [...selfCommand(), '__exec-as', '--uid', String(identity.uid), '--gid', String(identity.gid), '--groups', identity.groups.join(','), '--', program, ...args];
}
