// Where util-linux unshare(1) is: the namespaces are created by it, in a process that has one thread.
import { isExecutable as isExecutableFile } from '../sys/executable';

/** The places tried before PATH, in order. */
export const UNSHARE_PATHS = ['/usr/bin/unshare', '/bin/unshare'] as const;

/** A namespace request that cannot be carried out; the message says what is missing and what to do. */
export class NamespaceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NamespaceError';
  }
}

/** What the lookup may see; the defaults are this process's PATH and the real filesystem. */
export interface UnshareLookup {
  path?: string | undefined;
  isExecutable?: (path: string) => boolean;
}

/** The path of unshare(1): /usr/bin/unshare, /bin/unshare, then each PATH directory. Throws NamespaceError when none is executable. */
export function findUnshare(lookup: UnshareLookup = {}): string {
  const isExecutable = lookup.isExecutable ?? isExecutableFile;
  const path = 'path' in lookup ? lookup.path : process.env['PATH'];
  const fromPath = (path ?? '')
    .split(':')
    .filter((directory) => directory.startsWith('/'))
    .map((directory) => `${directory.replace(/\/+$/, '')}/unshare`);
  const candidates = [...new Set([...UNSHARE_PATHS, ...fromPath])];
  const found = candidates.find((candidate) => isExecutable(candidate));
  if (found !== undefined) return found;
  throw new NamespaceError(
    `namespaces: needs util-linux unshare(1), which is not in this root (looked at ${UNSHARE_PATHS.join(', ')} and PATH=${path ?? '(unset)'}); ` +
      'bootstrap cannot create user or mount namespaces itself, since Node runs several threads and unshare(2) refuses them (EINVAL) or moves only the calling thread. ' +
      'Install util-linux in this root, or add it to an initramfs: bootstrap pack --add /usr/bin/unshare:/usr/bin/unshare (it needs only libc)',
  );
}
