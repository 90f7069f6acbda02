// The first bytes of a file or device: enough to tell a #! script, an ELF image or a filesystem's superblock.
import { closeSync, openSync } from 'node:fs';
import { readAtDescriptor } from '../probe/read-at';

/** Up to `length` bytes from the start of `path` (fewer when it is shorter); throws when it cannot be read. */
export function readHead(path: string, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    return readAtDescriptor(fd)(0, length);
  } finally {
    closeSync(fd);
  }
}
