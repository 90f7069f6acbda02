// The program's side in a new user namespace, once released: become the namespace's root (uid 0, gid 0 inside).
// It started with the ids it had outside, which the maps may not hold (root outside is unmapped when 0 inside is
// 1000000 outside), so it sees itself as the overflow id 65534 until it changes them; the ambient capabilities
// unshare --keep-caps left it allow that. Changing to root keeps them; changing later to another user (a service's
// `user`) clears them as the kernel does for any root that gives up its ids.
import { readFileSync } from 'node:fs';
import type { Sys } from '../sys/index';

/** Whether a map file's text (`inside outside count` per line) maps id 0 inside. */
export function mapsRootInside(mapText: string): boolean {
  return mapText
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .some(([inside, , count]) => inside === 0 && count !== undefined && count >= 1);
}

/** What became of the supplementary groups: set to [0], or left as they were because setgroups(2) is denied. */
export type RootGroups = 'set' | 'left (setgroups is denied in this namespace)';

/** Becomes uid 0 and gid 0 of the user namespace. Throws when the maps do not map 0 inside, naming the map. */
export function becomeNamespaceRoot(sys: Pick<Sys, 'changeIdentity'>, read: (path: string) => string = (path) => readFileSync(path, 'utf8')): RootGroups {
  for (const file of ['uid_map', 'gid_map'] as const) {
    const text = read(`/proc/self/${file}`);
    if (!mapsRootInside(text)) {
      throw new Error(`namespaces: /proc/self/${file} does not map id 0 inside (${text.trim() === '' ? 'it is empty' : JSON.stringify(text.trim())}), so there is no root to become; map 0 in idMap`);
    }
  }
  const denied = read('/proc/self/setgroups').trim() === 'deny';
  sys.changeIdentity({ uid: 0, gid: 0, ...(denied ? {} : { groups: [0] }) });
  return denied ? 'left (setgroups is denied in this namespace)' : 'set';
}
