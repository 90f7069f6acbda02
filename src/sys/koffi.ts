// Loads koffi, the C FFI: from node_modules in development, from the executable's own assets in the SEA.
import { createRequire } from 'node:module';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;

/** Set by esbuild's `define` when building the single executable. */
declare const BOOTSTRAP_BUNDLED: boolean | undefined;

/** Reads an asset appended to the single executable; a parameter of the bundle (scripts/sea/loader.cjs). */
declare const BOOTSTRAP_READ_ASSET: ((name: string) => Uint8Array) | undefined;

/** Set by the build: the addon's file name in an image, which names its content (koffi-SHA256PREFIX.node). */
declare const BOOTSTRAP_KOFFI_FILE: string | undefined;

/** Name of the asset holding koffi's native addon (see scripts/build.ts). */
export const KOFFI_ASSET = 'koffi.node';

/** Where `bootstrap pack` puts this executable's addon in an image of itself, so PID 1 need not unpack it. */
export const PREPARED_ADDON_DIRECTORY = '/lib/bootstrap';

let loaded: Koffi | undefined;
let origin = 'not loaded';

/** Where koffi's addon came from, for PID 1's debug log. */
export function koffiOrigin(): string {
  return origin;
}

// Where this executable's addon is in an image of itself; undefined outside the executable.
function preparedAddonPath(): string | undefined {
  return typeof BOOTSTRAP_KOFFI_FILE === 'undefined' ? undefined : `${PREPARED_ADDON_DIRECTORY}/${BOOTSTRAP_KOFFI_FILE}`;
}

/** This executable's addon and the path it takes in an image (`bootstrap pack` of itself); undefined outside the executable. */
export function bundledAddon(): { path: string; bytes: Uint8Array } | undefined {
  const path = preparedAddonPath();
  if (path === undefined || typeof BOOTSTRAP_READ_ASSET === 'undefined') return undefined;
  return { path, bytes: BOOTSTRAP_READ_ASSET(KOFFI_ASSET) };
}

/** koffi, loaded on first use so that verbs that never touch the kernel never pay for it. */
export function koffi(): Koffi {
  loaded ??= typeof BOOTSTRAP_BUNDLED !== 'undefined' && BOOTSTRAP_BUNDLED ? loadFromAsset() : loadFromPackage();
  return loaded;
}

function loadFromPackage(): Koffi {
  origin = 'the koffi package';
  const require = createRequire(import.meta.url);
  return require('koffi') as Koffi;
}

// PID 1 of an image `bootstrap pack` made of this executable finds the addon there, under a name that is the digest
// of its content: loading it saves reading 1.1 MiB from the executable and writing it out again. Only root's file
// that nobody else may write is taken; anything else there is passed over, with the reason.
function loadPrepared(): Koffi | string {
  const path = preparedAddonPath();
  if (path === undefined) return 'no prepared addon in this build';
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return `no ${path}`;
  }
  if (!stat.isFile() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) return `${path} is not a regular file of root's that only root may write`;
  const module = { exports: {} as Koffi };
  try {
    process.dlopen(module, path);
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  }
  origin = path;
  return module.exports;
}

// A native addon must be a file for dlopen(3); write the embedded one to a private temp file, load
// it, and remove the file at once (the mapping stays valid after unlink).
function loadFromAsset(): Koffi {
  if (typeof BOOTSTRAP_READ_ASSET === 'undefined') throw new Error('koffi: the executable was started without its asset reader');
  const prepared = process.pid === 1 ? loadPrepared() : 'not PID 1';
  if (typeof prepared !== 'string') return prepared;
  const bytes = BOOTSTRAP_READ_ASSET(KOFFI_ASSET);
  const dir = makePrivateDir();
  const file = join(dir, KOFFI_ASSET);
  try {
    writeFileSync(file, bytes, { mode: 0o700 });
    const module = { exports: {} as Koffi };
    process.dlopen(module, file);
    origin = `the executable (${prepared})`;
    return module.exports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// In an initramfs before /tmp exists the root (a tmpfs or ramfs) is writable while tmpdir() may not be:
// try each candidate and report all of them when none works.
function makePrivateDir(): string {
  const candidates = [process.env['TMPDIR'], tmpdir(), '/run', '/dev/shm', '/'].filter(
    (dir): dir is string => dir !== undefined && dir !== '',
  );
  const failures: string[] = [];
  for (const root of candidates) {
    try {
      return mkdtempSync(join(root, 'bootstrap-koffi-'));
    } catch (error) {
      failures.push(`${root}: ${(error as Error).message}`);
    }
  }
  throw new Error(`cannot unpack the FFI addon: no writable directory (${failures.join('; ')})`);
}
