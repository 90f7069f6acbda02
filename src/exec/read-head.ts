// The first bytes of a file or device: enough to tell a #! script, an ELF image or a filesystem's superblock.
import { closeSync, openSync, readSync } from 'node:fs';

/** Up to `length` bytes from the start of `path` (fewer when it is shorter); throws when it cannot be read. */
export function readHead(path: string, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}
