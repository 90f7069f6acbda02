// The initramfs of one run: the cached base image with an archive holding this run's config appended. The kernel
// unpacks concatenated archives in order and a later file replaces an earlier one, so the appended config is the
// one PID 1 reads at the default path.
import { appendFileSync, copyFileSync } from 'node:fs';
import { DEFAULT_CONFIG_PATH } from '../config/default-path';
import { writeNewc } from '../pack/newc';

/** Writes `output`: `base` followed by a newc archive with `configText` at the default config path. */
export function writeRunInitrd(base: string, configText: string, output: string): void {
  copyFileSync(base, output);
  appendFileSync(output, writeNewc([{ kind: 'file', path: DEFAULT_CONFIG_PATH.replace(/^\/+/, ''), mode: 0o644, data: Buffer.from(configText) }]));
}
