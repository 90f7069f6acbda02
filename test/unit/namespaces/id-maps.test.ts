// lcboot's id_map forms as map file texts, the setgroups rule, and the check that 0 is mapped inside.
import { describe, expect, it } from 'vitest';
import { idMapRanges } from '../../../src/config/id-map';
import { idMapText } from '../../../src/config/id-map-text';
import { mapsRootInside } from '../../../src/namespaces/become-root';
import { hasEffectiveCapability, mustDenySetgroups } from '../../../src/namespaces/setgroups';

// The groups of lcboot's example init.yml: every form, summing to the users' one range.
const lcbootGroups = ['0 1000000', '1 1000001 1', { internal: 2, external: 1000002 }, { internal: 3, external: 1000003, size: 65533 }] as const;

describe('id map texts', () => {
  it("writes lcboot's three forms as the kernel's `inside outside count` lines", () => {
    expect(idMapText(idMapRanges('0 1000000 65536'), 'uid_map')).toBe('0 1000000 65536\n');
    expect(idMapText(idMapRanges([...lcbootGroups]), 'gid_map')).toBe('0 1000000 1\n1 1000001 1\n2 1000002 1\n3 1000003 65533\n');
    const total = idMapRanges([...lcbootGroups]).reduce((sum, range) => sum + range.count, 0);
    expect(total).toBe(65536);
  });

  it('refuses what the kernel refuses: overlaps, no range, and a text of a page or more', () => {
    expect(() => idMapText(idMapRanges(['0 1000 10', '5 2000 1']), 'uid_map')).toThrow(/uid_map: ranges 0 1000 10 and 5 2000 1 overlap inside the namespace/);
    expect(() => idMapText(idMapRanges(['0 1000 10', '20 1005 1']), 'gid_map')).toThrow(/overlap on the host/);
    expect(() => idMapText([], 'uid_map')).toThrow(/no range/);
    const many = Array.from({ length: 340 }, (_, index) => ({ inside: index * 10, outside: 4_000_000_000 + index * 10, count: 10 }));
    expect(() => idMapText(many, 'uid_map')).toThrow(/340 ranges take \d+ bytes, and the kernel takes a map in one write of at most 4095/);
    expect(idMapText(many.slice(0, 100), 'uid_map').split('\n')).toHaveLength(101);
  });

  it('finds id 0 mapped inside in a map file', () => {
    expect(mapsRootInside('         0    1000000      65536\n')).toBe(true);
    expect(mapsRootInside('         1    1000001          1\n         0    1000000          1\n')).toBe(true);
    expect(mapsRootInside('         1    1000001          1\n')).toBe(false);
    expect(mapsRootInside('')).toBe(false);
  });
});

describe('setgroups', () => {
  const status = (capEff: string): string => `Name:\tbootstrap\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

  it('is denied only for a writer without CAP_SETGID (bit 6)', () => {
    expect(mustDenySetgroups(status('000001ffffffffff'))).toBe(false);
    expect(mustDenySetgroups(status('0000000000000040'))).toBe(false);
    expect(mustDenySetgroups(status('00000000000000bf'))).toBe(true);
    expect(mustDenySetgroups(status('0000000000000000'))).toBe(true);
    expect(mustDenySetgroups('no capability lines')).toBe(true);
    expect(hasEffectiveCapability(status('0000000000200000'), 21)).toBe(true);
  });
});
