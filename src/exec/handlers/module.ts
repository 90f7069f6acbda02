// Handler for `loadModule`: finit_module for plain .ko files, init_module of the decompressed image otherwise.
import { readFileSync } from 'node:fs';
import type { StepOf } from '../../plan/step';
import { moduleCompression, moduleImage, webStreamXzDecoder, type XzDecoder } from '../../modules/decompress';
import type { BaseContext } from '../context';

let xz: XzDecoder | undefined;

// The WebAssembly xz decoder is loaded only for .ko.xz files: most boots never need it.
async function xzDecoder(): Promise<XzDecoder> {
  xz ??= webStreamXzDecoder((await import('xz-decompress')).XzReadableStream);
  return xz;
}

/** Loads one module; one already loaded counts as skipped, not failed. */
export async function loadModule(step: StepOf<'loadModule'>, context: BaseContext): Promise<{ skipped: string } | void> {
  if (step.path === undefined) throw new Error(`module ${step.name}: no path (modules.dep was not read)`);
  const compression = moduleCompression(step.path);
  const result =
    compression === 'none'
      ? context.sys.finitModule({ path: step.path, params: step.parameters })
      : context.sys.initModule(await moduleImage(step.path, readFileSync(step.path), compression === 'xz' ? await xzDecoder() : undefined), step.parameters);
  if (result === 'already-loaded') return { skipped: `module ${step.name} is already loaded` };
}
