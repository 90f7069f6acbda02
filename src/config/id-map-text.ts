// The text of /proc/PID/uid_map and gid_map for a list of id ranges, refused where the kernel would refuse it. Pure.
import { formatRange, idMapOverlap, type IdMapRange } from './id-map';

/** The kernel takes a map in a single write(2) shorter than a page (count >= PAGE_SIZE is EINVAL). */
const MAP_WRITE_LIMIT = 4096;

/** The text of one map file: a line `inside outside count` per range. Throws RangeError when the kernel would refuse it. */
export function idMapText(ranges: readonly IdMapRange[], file: 'uid_map' | 'gid_map'): string {
  if (ranges.length === 0) throw new RangeError(`${file}: no range to write`);
  const overlap = idMapOverlap(ranges);
  if (overlap !== undefined) throw new RangeError(`${file}: ${overlap}`);
  const text = `${ranges.map(formatRange).join('\n')}\n`;
  const bytes = Buffer.byteLength(text);
  if (bytes >= MAP_WRITE_LIMIT) throw new RangeError(`${file}: ${ranges.length} ranges take ${bytes} bytes, and the kernel takes a map in one write of at most ${MAP_WRITE_LIMIT - 1}`);
  return text;
}
