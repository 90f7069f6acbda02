// A user namespace's id maps in lcboot's three forms ("0 1000000 65536", "0 1000000", {internal, external, size})
// as the ranges the kernel takes in /proc/PID/uid_map and gid_map.
import type { IdRange, IdRanges } from './generated/config-types';

/** One line of an id map: `count` ids from `inside` in the namespace are `outside` ones on the host. */
export interface IdMapRange {
  inside: number;
  outside: number;
  count: number;
}

/** The largest id plus one: ids are 32-bit and (uid_t)-1 is never valid. */
const ID_LIMIT = 4294967295;

/** The ranges of a map, in the order written. Throws on a range the kernel would refuse, naming it. */
export function idMapRanges(ranges: IdRanges): IdMapRange[] {
  const list: IdRange[] = Array.isArray(ranges) ? ranges : [ranges];
  return list.map(toRange);
}

function toRange(range: IdRange): IdMapRange {
  if (typeof range !== 'string') return checked({ inside: range.internal, outside: range.external, count: range.size ?? 1 }, JSON.stringify(range));
  const numbers = range.trim().split(/\s+/).map(Number);
  const [inside, outside, count = 1] = numbers;
  if (numbers.length < 2 || numbers.length > 3 || inside === undefined || outside === undefined) throw new RangeError(`id map range "${range}": write "internal external" or "internal external size"`);
  return checked({ inside, outside, count }, `"${range}"`);
}

function checked(range: IdMapRange, written: string): IdMapRange {
  const { inside, outside, count } = range;
  if (![inside, outside, count].every(Number.isSafeInteger)) throw new RangeError(`id map range ${written}: ids and size are whole numbers`);
  if (count < 1) throw new RangeError(`id map range ${written}: the size is at least 1`);
  if (inside + count > ID_LIMIT || outside + count > ID_LIMIT) throw new RangeError(`id map range ${written}: ends past ${ID_LIMIT - 1}, the largest id`);
  return range;
}

/** Ranges that overlap inside or outside, which the kernel refuses (EINVAL), as a message; undefined when none do. */
export function idMapOverlap(ranges: readonly IdMapRange[]): string | undefined {
  for (const side of ['inside', 'outside'] as const) {
    const sorted = [...ranges].sort((a, b) => a[side] - b[side]);
    for (let index = 1; index < sorted.length; index += 1) {
      const before = sorted[index - 1]!;
      const range = sorted[index]!;
      if (before[side] + before.count > range[side]) return `ranges ${formatRange(before)} and ${formatRange(range)} overlap ${side === 'inside' ? 'inside the namespace' : 'on the host'}`;
    }
  }
  return undefined;
}

/** A range as the kernel's map file and util-linux write it: `inside outside count`. */
export function formatRange(range: IdMapRange): string {
  return `${range.inside} ${range.outside} ${range.count}`;
}
