// Packs an initramfs with the built bootstrap executable (`dist/bootstrap pack`), for tests that boot the real thing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelEnv } from './kernel-env';
import { repoRoot } from '../paths';
import { TestBedError } from './test-bed-error';

/** The single executable `npm run build` writes. */
export const bootstrapBinary = join(repoRoot, 'dist/bootstrap');

/** Where extra configs land in the image; boot one with `bootstrap.config=` + configPathFor(name). */
export const extraConfigDir = '/etc/bootstrap/tests';

/** What to pack. */
export interface BootstrapPackSpec {
  /** Scratch directory for the config files. */
  work: string;
  output: string;
  kernel: KernelEnv;
  /** The YAML packed as /etc/bootstrap/bootstrap.yaml (pack validates it). */
  config: string;
  /**
   * More configs by name, packed as /etc/bootstrap/tests/NAME.yaml without validation, so one image
   * serves several boots (and can carry a config pack would refuse).
   */
  extraConfigs?: Readonly<Record<string, string>>;
  /** More modules to pack (with their dependencies), for the extra configs. */
  modules?: readonly string[];
  /** Files or trees to copy into the image, as `--add SRC:DEST`. */
  add?: readonly { src: string; dest: string }[];
  /** The executable packed as /init (`--binary`), dist/bootstrap when absent; packing is always done by dist/bootstrap. */
  binary?: string;
  /** Where `binary`'s loader and libraries are found (`--sysroot`), for another architecture's executable. */
  sysroot?: string;
}

/** The path of an extra config inside the image. */
export function configPathFor(name: string): string {
  return `${extraConfigDir}/${name}.yaml`;
}

/** Writes the initramfs and returns its path; a failing pack throws with the tool's output. */
export function packBootstrap(spec: BootstrapPackSpec): string {
  if (!existsSync(bootstrapBinary)) throw new TestBedError(`${bootstrapBinary} is missing: run npm run build`);
  mkdirSync(spec.work, { recursive: true });
  const configFile = join(spec.work, 'bootstrap.yaml');
  writeFileSync(configFile, spec.config);
  const args = ['pack', '--config', configFile, '--output', spec.output, '--modules-from', spec.kernel.modules, '--compress', 'zstd'];
  for (const name of spec.modules ?? []) args.push('--module', name);
  const extra = Object.entries(spec.extraConfigs ?? {});
  if (extra.length > 0) {
    const dir = join(spec.work, 'extra-configs');
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of extra) writeFileSync(join(dir, `${name}.yaml`), text);
    args.push('--add', `${dir}:${extraConfigDir}`);
  }
  for (const add of spec.add ?? []) args.push('--add', `${add.src}:${add.dest}`);
  if (spec.binary !== undefined) {
    if (!existsSync(spec.binary)) throw new TestBedError(`${spec.binary} is missing: build it (tsx scripts/build.ts --arch arm64 for dist/bootstrap-arm64)`);
    args.push('--binary', spec.binary);
  }
  if (spec.sysroot !== undefined) args.push('--sysroot', spec.sysroot);
  const result = spawnSync(bootstrapBinary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new TestBedError(`${bootstrapBinary} ${args.join(' ')} failed (${String(result.status ?? result.signal)}):\n${result.stderr}${result.stdout}`);
  }
  return spec.output;
}
