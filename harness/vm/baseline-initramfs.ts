// The busybox-script initramfs that does what bootstrap's boot does (modules, mounts, switch_root): the bed's baseline.
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyModules } from './kernel-modules';
import { readKernelEnv, type KernelEnv } from './kernel-env';
import { packInitramfs } from './initramfs';
import { tempDir } from './processes';

/** The root file systems the baseline can switch into. */
export type BaselineRoot = 'virtiofs' | '9p' | 'block';

/** The modules each root needs (dependencies are added from modules.dep). */
export const baselineModules: Record<BaselineRoot, readonly string[]> = {
  virtiofs: ['virtio_pci', 'virtiofs'],
  '9p': ['virtio_pci', '9pnet_virtio', '9p'],
  // ext4 and jbd2 ask for crc32c through the crypto API (a softdep), which no modprobe answers here.
  block: ['virtio_pci', 'virtio_blk', 'crc32c_generic', 'ext4'],
};

/** The script's first line, once /proc is mounted; the group is the guest's uptime in seconds. */
export const baselineStartedPattern = /baseline: init started at ([\d.]+)s/;
/** Printed once every module is in; the group is the guest's uptime in seconds. */
export const modulesLoadedPattern = /baseline: modules loaded at ([\d.]+)s/;
/** Printed right before `exec switch_root`; the benchmark's end point for the initramfs phase. */
export const switchRootPattern = /baseline: switch_root at ([\d.]+)s/;

const applets = ['sh', 'mount', 'mkdir', 'insmod', 'usleep', 'switch_root'] as const;

/** The /init script for `root`, loading `modules` (file names under /lib/modules, in load order). */
export function baselineInitScript(root: BaselineRoot, modules: readonly string[], tag = 'rootfs'): string {
  const mountRoot: Record<BaselineRoot, string> = {
    virtiofs: `mount -t virtiofs ${tag} /newroot`,
    '9p': `mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ${tag} /newroot`,
    // virtio_blk probes during insmod, but the /dev node appears asynchronously: wait up to 5 s.
    block: [
      'tries=0',
      'while [ ! -b /dev/vda ] && [ $tries -lt 500 ]; do usleep 10000; tries=$((tries + 1)); done',
      'mount -t ext4 /dev/vda /newroot',
    ].join('\n'),
  };
  return `#!/bin/sh
# Baseline init: mount the API file systems, load modules, mount the root, switch into it.
set -e
mount -t proc proc /proc
read -r uptime _ </proc/uptime
echo "baseline: init started at \${uptime}s"
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in ${modules.join(' ')}; do insmod /lib/modules/$module; done
read -r uptime _ </proc/uptime
echo "baseline: modules loaded at \${uptime}s"
mkdir -p /newroot
${mountRoot[root]}
mount --move /dev /newroot/dev
mount --move /sys /newroot/sys
read -r uptime _ </proc/uptime
mount --move /proc /newroot/proc
echo "baseline: switch_root at \${uptime}s"
exec switch_root /newroot /sbin/init
`;
}

/** What `buildBaselineInitramfs` needs; the kernel defaults to the cached one. */
export interface BaselineInitramfsSpec {
  root: BaselineRoot;
  output: string;
  kernel?: KernelEnv;
  tag?: string;
}

/** Builds the baseline initramfs (static busybox, the modules, /init) and returns the archive path and module load order. */
export function buildBaselineInitramfs(spec: BaselineInitramfsSpec): { initrd: string; modules: string[] } {
  const kernel = spec.kernel ?? readKernelEnv();
  const tree = tempDir('baseline-tree');
  for (const dir of ['bin', 'dev', 'proc', 'sys']) mkdirSync(join(tree, dir));
  copyFileSync('/bin/busybox', join(tree, 'bin/busybox'));
  for (const applet of applets) symlinkSync('busybox', join(tree, 'bin', applet));
  const modules = copyModules(kernel, baselineModules[spec.root], join(tree, 'lib/modules'));
  writeFileSync(join(tree, 'init'), baselineInitScript(spec.root, modules, spec.tag));
  chmodSync(join(tree, 'init'), 0o755);
  return { initrd: packInitramfs({ dir: tree, output: spec.output }), modules };
}
