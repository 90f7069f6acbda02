// `bootstrap validate` of a config with thousands of errors: a hundred lines, then how many more, then the total.
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../helpers/run-cli-in-memory';

const config = `postSwitch:\n  handoff: {mode: shell}\n  hooks:\n${'    - 5\n'.repeat(16_000)}`;

describe('bootstrap validate with 16,000 errors', () => {
  it('lists 100 in text, says how many more, and counts them all', async () => {
    const run = await runInMemory(['validate', '-'], config);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(102);
    expect(lines.filter((line) => line.includes(': error wrong-type: '))).toHaveLength(100);
    expect(lines.slice(-2)).toEqual(['<stdin>: ... and 15900 more errors not shown (stopped after 100)', '<stdin>: invalid (16000 errors)']);
  });

  it('lists 100 in JSON, with the count of the rest', async () => {
    const run = await runInMemory(['validate', '--output', 'json', '-'], config);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; errors: unknown[]; omitted: unknown };
    expect(report.errors).toHaveLength(100);
    expect(report.omitted).toEqual({ errors: 15_900, warnings: 0 });
  });
});
