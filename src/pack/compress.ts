// Compression of a whole initramfs image, in the formats Debian's kernel unpacks (CONFIG_RD_GZIP, CONFIG_RD_ZSTD).
import { promisify } from 'node:util';
import { constants, gzip, zstdCompress } from 'node:zlib';

/** How the archive is compressed; `none` leaves the cpio as is. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** The compressions `bootstrap pack --compress` accepts, for validating and listing. */
export const compressions: readonly Compression[] = ['none', 'gzip', 'zstd'];

/**
 * What `pack` uses without `--compress`: none. Under QEMU the image is loaded from the host's page cache at no cost
 * to the guest, and the kernel copies an uncompressed archive about 1 s faster than it unpacks the zstd one of the
 * same 112 MiB (TCG, one vCPU; docs/performance.md "Boot"). Where the loader reads the image from a slow disk or the
 * network, or the machine has little RAM (an uncompressed image and its unpacked files are both in memory until the
 * unpack ends), zstd is the better choice.
 */
export const defaultCompression: Compression = 'none';

// zstd 9 packs the 126 MB Node binary to 38 MB in about 1.7 s; 19 saves 5 MB more but takes 45 s.
const defaultLevels = { gzip: 6, zstd: 9 } as const;

const gzipAsync = promisify(gzip);
const zstdAsync = promisify(zstdCompress);

/** Compresses an archive off the main thread (zlib's thread pool); `level` defaults to gzip 6, zstd 9. */
export async function compressImage(archive: Uint8Array, compression: Compression, level?: number): Promise<Buffer> {
  switch (compression) {
    case 'none':
      return Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
    case 'gzip':
      return gzipAsync(archive, { level: level ?? defaultLevels.gzip });
    case 'zstd':
      // No long-distance matching: its 128 MiB window is more than the kernel's unzstd should have to allocate at boot.
      return zstdAsync(archive, {
        params: { [constants.ZSTD_c_compressionLevel]: level ?? defaultLevels.zstd, [constants.ZSTD_c_checksumFlag]: 1 },
      });
  }
}
