// A target's root file system unpacked in a directory (`pack --sysroot`), seen the way its own loader would see
// it: absolute paths and absolute symlinks mean the sysroot's, never the host's.
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { LibraryFileSystem } from './shared-libraries';

// As the kernel's MAXSYMLINKS: a loop of links ends as "not there" instead of hanging.
const MAX_SYMLINKS = 40;

/** A `LibraryFileSystem` over `root`: paths go in and come out as the target sees them (`/lib/...`). */
export function sysrootFileSystem(root: string): LibraryFileSystem {
  // The path inside the sysroot with every symlink resolved (absolute targets from the sysroot's top), or
  // undefined when some component does not exist.
  const resolve = (path: string): string | undefined => {
    const pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        done.pop();
        continue;
      }
      const here = join(root, ...done, name);
      let isLink: boolean;
      try {
        isLink = lstatSync(here).isSymbolicLink();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      if (!isLink) {
        done.push(name);
        continue;
      }
      if (++links > MAX_SYMLINKS) return undefined;
      const target = readlinkSync(here);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
    }
    return `/${done.join('/')}`;
  };
  return {
    readFile(path) {
      const real = resolve(path);
      if (real === undefined) return undefined;
      try {
        if (!lstatSync(join(root, real)).isFile()) return undefined;
        return readFileSync(join(root, real));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    readDir(path) {
      const real = resolve(path);
      if (real === undefined) return [];
      try {
        return readdirSync(join(root, real));
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },
    realPath: resolve,
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
