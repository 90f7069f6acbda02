// Where vm's tools and kernel are: QEMU, virtiofsd and setpriv by PATH and their packages' usual places; the
// kernel and its modules from the running kernel's release, or the release of the image given.
import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { basename, join } from 'node:path';
import { isExecutable as isExecutableFile } from '../sys/executable';
import { kernelRelease, KERNEL_HEAD_BYTES } from './kernel-image';
import { VmError } from './vm-error';

/** What a lookup may see; the defaults are this process's PATH and the real filesystem. */
export interface Lookup {
  path?: string | undefined;
  isExecutable?: (path: string) => boolean;
}

/** A tool vm starts: how it is found when no flag names it, and what to say when it is not. */
export interface ToolSpec {
  name: string;
  /** Places tried after PATH (programs packages install outside it, like /usr/libexec/virtiofsd). */
  alsoAt: readonly string[];
  /** The whole error when it is missing. */
  missing: string;
}

export const tools = {
  qemu: { name: 'qemu-system-x86_64', alsoAt: [], missing: 'no qemu-system-x86_64: install the qemu-system-x86 package or pass --qemu PATH' },
  // Debian 13 and Fedora install it in /usr/libexec. Debian 12's QEMU ships the old C one in /usr/lib/qemu, whose
  // command line differs (-o source=DIR): it is not taken.
  virtiofsd: { name: 'virtiofsd', alsoAt: ['/usr/libexec/virtiofsd'], missing: 'no virtiofsd: install the virtiofsd package (Debian 13, or the Rust virtiofsd of your distribution) or pass --virtiofsd PATH' },
  setpriv: { name: 'setpriv', alsoAt: ['/usr/bin/setpriv', '/bin/setpriv'], missing: 'no setpriv (it makes QEMU and virtiofsd die with vm): install the util-linux package' },
} as const satisfies Record<string, ToolSpec>;

/** `given` (a flag's value) when executable, else the first executable of PATH and `alsoAt`; throws VmError. */
export function findTool(tool: ToolSpec, given: string | undefined, flag: string | undefined, lookup: Lookup = {}): string {
  const isExecutable = lookup.isExecutable ?? isExecutableFile;
  if (given !== undefined) {
    if (isExecutable(given)) return given;
    throw new VmError(`${flag ?? tool.name} ${given}: not an executable file`);
  }
  const path = 'path' in lookup ? lookup.path : process.env['PATH'];
  const fromPath = (path ?? '')
    .split(':')
    .filter((directory) => directory.startsWith('/'))
    .map((directory) => join(directory, tool.name));
  const found = [...fromPath, ...tool.alsoAt].find((candidate) => isExecutable(candidate));
  if (found === undefined) throw new VmError(tool.missing);
  return found;
}

/** The kernel to boot and the module tree that matches it. */
export interface KernelChoice {
  image: string;
  modules: string;
  release: string;
}

/**
 * --kernel (default /boot/vmlinuz-RELEASE of the running kernel) and --modules (default /lib/modules/RELEASE of that
 * image's release, read from its header, so a --kernel of another release finds its own modules). Throws VmError.
 */
export function chooseKernel(given: { kernel?: string | undefined; modules?: string | undefined }, running: string = release()): KernelChoice {
  const image = given.kernel ?? `/boot/vmlinuz-${running}`;
  if (!statSync(image, { throwIfNoEntry: false })?.isFile()) {
    throw new VmError(given.kernel === undefined ? `no kernel image ${image} for the running kernel: pass --kernel FILE` : `--kernel ${image}: no such file`);
  }
  const imageRelease = readRelease(image);
  if (imageRelease === undefined) throw new VmError(`--kernel ${image}: not an x86 bzImage (no setup header with a version string)`);
  const modules = given.modules ?? `/lib/modules/${imageRelease}`;
  if (!existsSync(join(modules, 'modules.dep'))) {
    throw new VmError(
      given.modules === undefined
        ? `no modules for kernel ${imageRelease} (${modules}/modules.dep is missing): pass --modules DIR`
        : `--modules ${modules}: no modules.dep there (a lib/modules/RELEASE tree after depmod)`,
    );
  }
  const treeRelease = basename(realpathSync(modules));
  if (treeRelease !== imageRelease) {
    throw new VmError(`--modules ${modules} is a module tree for ${treeRelease}, but the kernel ${image} is ${imageRelease}: pass the lib/modules/${imageRelease} tree`);
  }
  return { image, modules, release: imageRelease };
}

function readRelease(image: string): string | undefined {
  const head = Buffer.alloc(KERNEL_HEAD_BYTES);
  let fd: number;
  try {
    fd = openSync(image, 'r');
  } catch (error) {
    // Debian installs /boot/vmlinuz-* readable by root only.
    throw new VmError(`cannot read the kernel image ${image}: ${(error as Error).message}; run as root or pass --kernel a readable copy`, { cause: error });
  }
  try {
    const length = readSync(fd, head, 0, head.length, 0);
    return kernelRelease(head.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}
