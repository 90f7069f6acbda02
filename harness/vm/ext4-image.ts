// Makes a raw ext4 disk image from a directory with mkfs.ext4 -d, for virtio-blk guests.
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestBedError } from './test-bed-error';

/** What to build. */
export interface Ext4ImageSpec {
  dir: string;
  output: string;
  label: string;
  /** Image size; default: the tree's size with room for ext4's metadata and journal. */
  sizeMiB?: number;
}

/** Builds the image (replacing `output`) and returns its path. */
export function makeExt4Image(spec: Ext4ImageSpec): string {
  const sizeMiB = spec.sizeMiB ?? Math.ceil(treeBytes(spec.dir) / 2 ** 20) * 2 + 16;
  rmSync(spec.output, { force: true });
  const args = ['-q', '-F', '-L', spec.label, '-d', spec.dir, spec.output, `${sizeMiB}M`];
  const result = spawnSync('mkfs.ext4', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new TestBedError(`mkfs.ext4 could not run (${result.error.message}): run scripts/setup/all.sh`);
  if (result.status !== 0) throw new TestBedError(`mkfs.ext4 ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return spec.output;
}

function treeBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    total += stat.isDirectory() ? 4096 + treeBytes(path) : Math.max(stat.size, 4096);
  }
  return total;
}
