// Calls that hand this process's memory back to the kernel: the C heap's free pages (malloc_trim) and the
// page-table entries of read-only file mappings (madvise MADV_DONTNEED), refaulted from the page cache on use.
import { check, libc } from './libc';

/** madvise(2) advice: drop the range's page-table entries; a private file page comes back from the file. */
const MADV_DONTNEED = 4;

/** A range of this process's address space, as /proc/self/maps gives it. */
export interface AddressRange {
  start: number;
  end: number;
}

/** Returns the C heap's free memory to the kernel (glibc's malloc_trim(0)); true when some was released. */
export function trimMallocHeap(): boolean {
  return libc().malloc_trim(0) === 1;
}

/**
 * Unmaps the pages of file mappings from this process's page tables, leaving them in the page cache. Only
 * for mappings that are read-only and hold no private (copied-on-write) page: then a later access reads
 * the very same bytes back from the file, so nothing changes but the resident set.
 */
export function dropFilePages(range: AddressRange): void {
  check(libc().madvise(range.start, range.end - range.start, MADV_DONTNEED), 'madvise', {
    start: range.start.toString(16),
    length: range.end - range.start,
    advice: 'MADV_DONTNEED',
  });
}
