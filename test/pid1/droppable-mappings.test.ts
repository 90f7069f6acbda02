// Which mappings the supervisor's memory upkeep unmaps (pure, on smaps text), and the real madvise on this very
// test process: its file pages leave the resident set, and the code they held still runs (refaulted from the file).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { droppableMappings, parseSmaps } from '../../src/pid1/droppable-mappings';
import { dropFilePages } from '../../src/sys/memory';

const smaps = `00400000-00600000 r--p 00000000 fe:01 123 /usr/bin/prog
Rss:                1024 kB
Anonymous:             0 kB
00600000-00a00000 r-xp 00200000 fe:01 123 /usr/bin/prog
Rss:                2048 kB
Anonymous:             0 kB
00a00000-00a10000 r--p 00600000 fe:01 123 /usr/bin/prog
Rss:                  64 kB
Anonymous:             8 kB
00a10000-00a20000 rw-p 00610000 fe:01 123 /usr/bin/prog
Rss:                  64 kB
Anonymous:            64 kB
7f0000000000-7f0000100000 r--p 00000000 fe:01 456 /var/lib/data.bin
Rss:                 512 kB
Anonymous:             0 kB
7f0000100000-7f0000200000 r-xp 00000000 fe:01 789 /usr/lib/libc.so.6 (deleted)
Rss:                   0 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
Rss:                 900 kB
Anonymous:           900 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                  64 kB
Anonymous:            64 kB
`;

function residentFileKiB(): number {
  return Number(/RssFile:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

describe('droppable mappings', () => {
  it('parses ranges, permissions, paths, resident and private KiB', () => {
    const mappings = parseSmaps(smaps);
    expect(mappings).toHaveLength(8);
    expect(mappings[1]).toEqual({ start: 0x600000, end: 0xa00000, permissions: 'r-xp', path: '/usr/bin/prog', residentKiB: 2048, anonymousKiB: 0 });
    expect(mappings[6]?.path).toBe('');
    expect(mappings[7]?.path).toBe('[stack]');
  });

  it('chooses the read-only, never-copied segments of loaded programs that have resident pages', () => {
    const chosen = droppableMappings(parseSmaps(smaps)).map((mapping) => `${mapping.permissions} ${mapping.path}`);
    // Not the relocated data (a private page), the writable data, a data file no one executes, an empty
    // mapping, anonymous memory or the stack.
    expect(chosen).toEqual(['r--p /usr/bin/prog', 'r-xp /usr/bin/prog']);
  });

  it('unmaps the file pages of this process, which come back from the file when run again', () => {
    const before = residentFileKiB();
    const chosen = droppableMappings(parseSmaps(readFileSync('/proc/self/smaps', 'utf8')));
    expect(chosen.some((mapping) => mapping.path === process.execPath)).toBe(true);
    for (const mapping of chosen) dropFilePages(mapping);
    const after = residentFileKiB();
    // Node's own code that runs between the two readings faults some back; most of the rest stays out.
    expect(after).toBeLessThan(before / 2);
    expect(JSON.parse(JSON.stringify({ still: ['running', 1.5] }))).toEqual({ still: ['running', 1.5] });
  });
});
