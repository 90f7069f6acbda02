// Whether a path names a program we could start: what a PATH search asks of each candidate.
import { accessSync, constants, statSync } from 'node:fs';

/** True when `path` is a regular file (after symlinks) that we may execute; directories pass X_OK, so they are checked apart. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
