// Writes a new user namespace's uid_map, setgroups and gid_map from the parent, which holds CAP_SETUID and
// CAP_SETGID in the parent namespace: any number of ranges, any outside ids, unlike unshare(1)'s --map-* options.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { IdMapRange } from '../config/id-map';
import { viaNode } from '../sys/node-error';
import { SysError } from '../sys/sys-error';
import { idMapText } from '../config/id-map-text';
import { mustDenySetgroups } from './setgroups';

/** The ranges of a user namespace, as src/config/id-map.ts parses them. */
export interface IdMaps {
  users: readonly IdMapRange[];
  groups: readonly IdMapRange[];
}

/** What was written, for the log. */
export interface WrittenIdMaps {
  uidMap: string;
  gidMap: string;
  setgroups: 'deny' | 'allow';
}

// One write(2) of the whole text, as the kernel requires; a short write would be a kernel refusal too.
function writeProcFile(path: string, text: string, hint: string): void {
  const bytes = Buffer.from(text);
  const fd = viaNode('open', { path, flags: 'O_WRONLY' }, () => openSync(path, 'w'));
  try {
    const written = viaNode('write', { path, text: text.trimEnd().replaceAll('\n', '; ') }, () => writeSync(fd, bytes));
    if (written !== bytes.length) throw new Error(`write(${path}): the kernel took ${written} of ${bytes.length} bytes`);
  } catch (error) {
    throw error instanceof SysError ? new SysError({ syscall: error.syscall, errno: error.errno, args: error.args, hint }) : error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the maps of the user namespace `pid` is in: uid_map, then setgroups ("deny" only when this process lacks
 * CAP_SETGID, see mustDenySetgroups), then gid_map. Throws RangeError for maps the kernel would refuse and SysError
 * (with the file and a hint) when it refuses them.
 */
export function writeIdMaps(pid: number, maps: IdMaps, readStatus: () => string = () => readFileSync('/proc/self/status', 'utf8')): WrittenIdMaps {
  const uidMap = idMapText(maps.users, 'uid_map');
  const gidMap = idMapText(maps.groups, 'gid_map');
  const deny = mustDenySetgroups(readStatus());
  const needs = 'the outside ids must exist in this (the parent) user namespace, the map is written once, and a writer without CAP_SETUID/CAP_SETGID there may map its own id alone';
  writeProcFile(`/proc/${pid}/uid_map`, uidMap, needs);
  if (deny) writeProcFile(`/proc/${pid}/setgroups`, 'deny', 'setgroups must be written before gid_map');
  writeProcFile(`/proc/${pid}/gid_map`, gidMap, needs);
  return { uidMap, gidMap, setgroups: deny ? 'deny' : 'allow' };
}
