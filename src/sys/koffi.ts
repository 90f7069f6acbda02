// Loads koffi, the C FFI: from node_modules in development, from the executable's own assets in the SEA.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;

/** Set by esbuild's `define` when building the single executable. */
declare const BOOTSTRAP_BUNDLED: boolean | undefined;

/** Reads an asset appended to the single executable; a parameter of the bundle (scripts/sea/loader.cjs). */
declare const BOOTSTRAP_READ_ASSET: ((name: string) => Uint8Array) | undefined;

/** Name of the asset holding koffi's native addon (see scripts/build.ts). */
export const KOFFI_ASSET = 'koffi.node';

let loaded: Koffi | undefined;

/** koffi, loaded on first use so that verbs that never touch the kernel never pay for it. */
export function koffi(): Koffi {
  loaded ??= typeof BOOTSTRAP_BUNDLED !== 'undefined' && BOOTSTRAP_BUNDLED ? loadFromAsset() : loadFromPackage();
  return loaded;
}

function loadFromPackage(): Koffi {
  const require = createRequire(import.meta.url);
  return require('koffi') as Koffi;
}

// A native addon must be a file for dlopen(3); write the embedded one to a private temp file, load
// it, and remove the file at once (the mapping stays valid after unlink).
function loadFromAsset(): Koffi {
  if (typeof BOOTSTRAP_READ_ASSET === 'undefined') throw new Error('koffi: the executable was started without its asset reader');
  const bytes = BOOTSTRAP_READ_ASSET(KOFFI_ASSET);
  const dir = makePrivateDir();
  const file = join(dir, KOFFI_ASSET);
  try {
    writeFileSync(file, bytes, { mode: 0o700 });
    const module = { exports: {} as Koffi };
    process.dlopen(module, file);
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
