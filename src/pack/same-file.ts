// Whether writing to a path would replace one of the files an image was made from: by path, symlink or hard link.
import { lstatSync, statSync, type Stats } from 'node:fs';

function identity(stat: Stats | undefined): string | undefined {
  return stat === undefined ? undefined : `${stat.dev}:${stat.ino}`;
}

// The file at a path and, when it is a symlink, the file it leads to; neither when nothing is there.
function identities(path: string): string[] {
  const own = identity(lstatSync(path, { throwIfNoEntry: false }));
  let followed: string | undefined;
  try {
    followed = identity(statSync(path));
  } catch {
    // A dangling symlink leads nowhere: only the link itself is there.
  }
  return [own, followed].filter((value): value is string => value !== undefined);
}

/**
 * The first of `inputs` that `output` is (the same path, a symlink to it or from it, or a hard link: device and
 * inode are compared, so every spelling of a path is caught), or undefined. An output that does not exist is no input.
 */
export function inputAt(output: string, inputs: readonly string[]): string | undefined {
  const target = new Set(identities(output));
  if (target.size === 0) return undefined;
  return inputs.find((input) => identities(input).some((id) => target.has(id)));
}
