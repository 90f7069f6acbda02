// The supervisor's memory upkeep in this very process: the settle upkeeps run whatever the activity, later ones only
// once enough processes were reaped, and each unmaps file pages for real (the resident file pages fall).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { startMemoryUpkeep } from '../../src/pid1/memory-upkeep';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

describe('memory upkeep', () => {
  it('runs at settling, then only when the activity grew by collectEvery', async () => {
    const lines: string[] = [];
    const log = createLogger({ write: (line) => (lines.push(line), true) }, 'debug');
    const residentFileKiB = (): number => Number(/RssFile:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const before = residentFileKiB();
    let reaped = 0;
    startMemoryUpkeep({ activity: () => reaped, log, settleMs: [10], periodMs: 50, collectEvery: 100 });
    const upkeeps = (): string[] => lines.filter((line) => line.includes('memory upkeep: heap collected'));
    await sleep(500);
    expect(upkeeps()).toHaveLength(1);
    expect(upkeeps()[0]).toMatch(/C heap (trimmed|had nothing to trim), [1-9]\d* KiB of file pages unmapped \(\d+\.\d ms\)/);
    reaped = 99;
    await sleep(500);
    expect(upkeeps()).toHaveLength(1);
    reaped = 100;
    await sleep(500);
    expect(upkeeps()).toHaveLength(2);
    // Resident file pages are what ran since the last upkeep: fewer than the test worker had mapped before.
    expect(residentFileKiB()).toBeLessThan(before);
  });
});
