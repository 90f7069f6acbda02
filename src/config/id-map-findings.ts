// What the kernel would refuse in an id map that the schema cannot see: a range past the largest id, overlapping ranges.
import type { Finding } from './diagnostic';
import type { IdMap, IdRange } from './generated/config-types';
import { idMapOverlap, idMapRanges, type IdMapRange } from './id-map';

/** Findings for the `users` and `groups` of an id map at `path`, each at the range (or the list) concerned. */
export function idMapFindings(idMap: IdMap, path: readonly (string | number)[]): Finding[] {
  const findings: Finding[] = [];
  for (const side of ['users', 'groups'] as const) {
    const written = idMap[side];
    const list: IdRange[] = Array.isArray(written) ? written : [written];
    const ranges: IdMapRange[] = [];
    for (const [index, range] of list.entries()) {
      const at = Array.isArray(written) ? [...path, side, index] : [...path, side];
      try {
        ranges.push(...idMapRanges(range));
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        findings.push({ code: 'invalid-value', severity: 'error', path: at, message: error.message });
      }
    }
    const overlap = ranges.length === list.length ? idMapOverlap(ranges) : undefined;
    if (overlap) findings.push({ code: 'invalid-value', severity: 'error', path: [...path, side], message: `${side}: ${overlap}, which the kernel refuses` });
  }
  return findings;
}
