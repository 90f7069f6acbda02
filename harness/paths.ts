// Where the harness finds the repository, its download cache, and the setup scripts that fill it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is harness/paths.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The download cache filled by scripts/setup/all.sh; BOOTSTRAP_CACHE_DIR moves it, as it does for the scripts. */
export const cacheDir = process.env.BOOTSTRAP_CACHE_DIR ?? join(repoRoot, '.cache');

/** The script that fills the cache; error messages point at it. */
export const setupScript = 'scripts/setup/all.sh';
