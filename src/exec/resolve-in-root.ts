// Follows a path inside another root directory, treating absolute symlinks as relative to that root (as they
// will be after the switch), so a handoff program can be checked before switching into it.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/** The real location under `root` of `path` as seen from inside `root`; throws naming the missing part. */
export function resolveInRoot(root: string, path: string): string {
  let remaining = path.split('/').filter(Boolean);
  let resolved: string[] = [];
  let hops = 0;
  while (remaining.length > 0) {
    const [part, ...rest] = remaining as [string, ...string[]];
    remaining = rest;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = posix.join(root, ...resolved, part);
    let stat;
    try {
      stat = lstatSync(candidate);
    } catch {
      throw new Error(`${posix.join('/', ...resolved, part)} does not exist in ${root}`);
    }
    if (stat.isSymbolicLink()) {
      if (++hops > 40) throw new Error(`${path}: too many levels of symbolic links in ${root}`);
      const target = readlinkSync(candidate);
      if (target.startsWith('/')) resolved = [];
      remaining = [...target.split('/').filter(Boolean), ...remaining];
      continue;
    }
    resolved.push(part);
  }
  return posix.join(root, ...resolved);
}
