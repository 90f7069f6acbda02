// Module names as the kernel compares them, and the module suffixes (with their compression) they may carry.

/** How each module suffix is decoded. */
export type ModuleCompression = 'none' | 'gzip' | 'zstd' | 'xz';

/** The module suffixes the kernel tools use, each with the compression it stands for. */
export const moduleSuffixCompression: Readonly<Record<string, ModuleCompression>> = { '.ko': 'none', '.ko.gz': 'gzip', '.ko.xz': 'xz', '.ko.zst': 'zstd' };

const moduleSuffixes = Object.keys(moduleSuffixCompression);

/** True when a file name ends in one of the module suffixes the kernel tools use (`.ko`, `.ko.gz`, `.ko.xz`, `.ko.zst`). */
export function isModuleFile(path: string): boolean {
  return moduleSuffixes.some((suffix) => path.endsWith(suffix));
}

/** Canonical module name: `kernel/fs/fuse/virtiofs.ko.xz` → `virtiofs`, `snd-hda-intel` → `snd_hda_intel`. */
export function moduleName(pathOrName: string): string {
  const base = pathOrName.slice(pathOrName.lastIndexOf('/') + 1);
  const suffix = moduleSuffixes.find((s) => base.endsWith(s));
  const stem = suffix ? base.slice(0, -suffix.length) : base;
  // The kernel treats `-` and `_` in module names as the same character.
  return stem.replaceAll('-', '_');
}
