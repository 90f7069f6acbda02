// Which of a process's mappings may have their pages dropped from its page tables without changing what it
// reads: read-only segments of its loaded programs holding no private (copied-on-write) page. Pure: reads
// smaps text.
import type { AddressRange } from '../sys/memory';

/** A mapping of /proc/PID/smaps with the fields the choice needs. */
export interface Mapping extends AddressRange {
  permissions: string;
  /** The mapped file's path; '' for anonymous memory, `[heap]`-style names for the kernel's own. */
  path: string;
  /** KiB of private (anonymous or copied-on-write) pages in the mapping. */
  anonymousKiB: number;
  residentKiB: number;
}

const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/;
const field = /^(Rss|Anonymous):\s+(\d+) kB$/;

/** Parses /proc/PID/smaps. */
export function parseSmaps(text: string): Mapping[] {
  const mappings: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split('\n')) {
    const head = header.exec(line);
    if (head) {
      current = {
        start: parseInt(head[1]!, 16),
        end: parseInt(head[2]!, 16),
        permissions: head[3]!,
        path: head[4]!,
        anonymousKiB: 0,
        residentKiB: 0,
      };
      mappings.push(current);
      continue;
    }
    const value = field.exec(line);
    if (value && current) {
      if (value[1] === 'Rss') current.residentKiB = Number(value[2]);
      else current.anonymousKiB = Number(value[2]);
    }
  }
  return mappings;
}

/**
 * Read-only segments of the loaded programs (the executable, the shared libraries, native addons) with resident
 * pages and no private page: their code and constant data. These files stay mapped for the process's life, so
 * no other thread can unmap such a range and reuse its addresses meanwhile. A writable mapping, or one with a
 * private page (relocated data, a patched page), holds bytes the file does not, so it is never chosen.
 */
export function droppableMappings(mappings: readonly Mapping[]): Mapping[] {
  const programs = new Set(mappings.filter((mapping) => mapping.path.startsWith('/') && mapping.permissions.includes('x')).map((mapping) => mapping.path));
  return mappings.filter((mapping) => programs.has(mapping.path) && !mapping.permissions.includes('w') && mapping.anonymousKiB === 0 && mapping.residentKiB > 0);
}
