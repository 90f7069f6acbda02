// Reads at an offset, for parsers that take only what a header points to (partition tables, ELF program headers)
// instead of a whole file or disk.
import { readSync } from 'node:fs';

/** Up to `length` bytes at byte `offset` (fewer at the end of the file or disk). */
export type ReadAt = (offset: number, length: number) => Uint8Array;

/** A ReadAt over an open descriptor (positioned reads: the descriptor's offset is left alone). */
export function readAtDescriptor(fd: number): ReadAt {
  return (offset, length) => {
    const buffer = new Uint8Array(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
  };
}

/** A ReadAt over bytes already in memory (a disk image, a test fixture). */
export function readFromBytes(bytes: Uint8Array): ReadAt {
  return (offset, length) => bytes.subarray(offset, offset + length);
}
