// 1,200 mutated configs through `bootstrap validate -`: each ends with exit 0, 1 or 2 and a message, never a crash.
import { describe, expect, it } from 'vitest';
import { mutatedConfigs } from '../../helpers/config-mutations';
import { runInMemory } from '../../helpers/run-cli-in-memory';

const SEED = 20261125;

describe('validate under mutated input', () => {
  it('never throws, always exits 0/1/2 with a message, never prints a stack trace', async () => {
    const inputs = mutatedConfigs(1200, SEED);
    const codes = new Map<number, number>();
    for (const [index, input] of inputs.entries()) {
      const json = index % 3 === 0;
      const run = await runInMemory(json ? ['validate', '--output', 'json', '-'] : ['validate', '-'], input);
      const context = `case ${index} (seed ${SEED}): ${JSON.stringify(typeof input === 'string' ? input : Buffer.from(input).toString('base64'))}`;
      expect([0, 1, 2], context).toContain(run.code);
      expect(run.stdout + run.stderr, context).not.toMatch(/\n\s+at |internal error|TypeError|RangeError/);
      if (json) {
        const report = JSON.parse(run.stdout) as { valid: boolean; errors: { message: string; line: number }[] };
        expect(report.valid, context).toBe(run.code === 0);
        for (const error of report.errors) expect(error.message.length, context).toBeGreaterThan(0);
      } else {
        expect(run.stdout, context).toMatch(/<stdin>: (valid|invalid)/);
      }
      codes.set(run.code, (codes.get(run.code) ?? 0) + 1);
    }
    // The mutations must actually produce invalid configs, or this test proves nothing.
    expect(codes.get(1) ?? 0).toBeGreaterThan(600);
  }, 120_000);
});
