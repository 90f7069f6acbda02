// The bytes of a kernel module image from a `.ko`, `.ko.gz`, `.ko.zst` or `.ko.xz` file, for finit/init_module.
import { zlib } from '../sys/builtins';
import { isElf } from '../elf/elf-dynamic';
import { moduleSuffixCompression, type ModuleCompression } from './module-name';

/** A module file whose image cannot be had: unknown suffix, corrupt data, or no xz decoder plugged in. */
export class ModuleDecompressError extends Error {
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ModuleDecompressError';
    this.file = file;
  }
}

/** Decodes a whole `.xz` stream; Node has no xz built in, so one is plugged in (see `webStreamXzDecoder`). */
export interface XzDecoder {
  decompress(bytes: Uint8Array): Promise<Uint8Array>;
}

/** The constructor shape of `XzReadableStream` from the `xz-decompress` package (WebAssembly, no native addon). */
export type XzReadableStreamClass = new (compressed: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;

/** Adapts a web-stream xz decoder class (e.g. `XzReadableStream` of `xz-decompress`) to `XzDecoder`. */
export function webStreamXzDecoder(XzStream: XzReadableStreamClass): XzDecoder {
  return {
    async decompress(bytes) {
      const decoded = new XzStream(new Blob([bytes]).stream());
      return new Uint8Array(await new Response(decoded).arrayBuffer());
    },
  };
}

/** The decoder in use until an xz package is installed: every `.ko.xz` fails saying so. */
export const missingXzDecoder: XzDecoder = {
  decompress() {
    return Promise.reject(new Error('xz modules are not supported in this build (no xz decoder is bundled); use .ko, .ko.gz or .ko.zst'));
  },
};

export type { ModuleCompression } from './module-name';

/** The compression a module file name says it has, or undefined when it is not a module file. */
export function moduleCompression(file: string): ModuleCompression | undefined {
  const suffix = Object.keys(moduleSuffixCompression).find((candidate) => file.endsWith(candidate));
  return suffix === undefined ? undefined : moduleSuffixCompression[suffix];
}

/** The uncompressed ELF image of a module file, chosen by its suffix; the result is checked to be ELF so a misnamed file fails here, not in the kernel. */
export async function moduleImage(file: string, bytes: Uint8Array, xz: XzDecoder = missingXzDecoder): Promise<Uint8Array> {
  const compression = moduleCompression(file);
  if (compression === undefined) throw new ModuleDecompressError(file, 'not a module file (expected .ko, .ko.gz, .ko.xz or .ko.zst)');
  let image: Uint8Array;
  try {
    image = await decode(compression, bytes, xz);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModuleDecompressError(file, `cannot decompress (${compression}): ${reason}`, { cause: error });
  }
  if (!isElf(image)) {
    throw new ModuleDecompressError(file, `not an ELF module after ${compression === 'none' ? 'reading' : `${compression} decompression`}`);
  }
  return image;
}

function decode(compression: ModuleCompression, bytes: Uint8Array, xz: XzDecoder): Promise<Uint8Array> | Uint8Array {
  switch (compression) {
    case 'none':
      return bytes;
    case 'gzip':
      return zlib().gunzipSync(bytes);
    case 'zstd':
      return zlib().zstdDecompressSync(bytes);
    case 'xz':
      return xz.decompress(bytes);
  }
}
