// Thousands of errors: every one is found, the first MAX_DIAGNOSTICS are listed, and the rest are counted.
import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS, validateConfigText } from '../../../src/config/validate-config';

const many = 16_000;
const lines = (count: number, line: (index: number) => string): string => Array.from({ length: count }, (_, index) => line(index)).join('\n');

describe('a config with thousands of errors', () => {
  it('lists the first 100 bad hooks in text order and counts the rest', () => {
    const result = validateConfigText(`postSwitch:\n  handoff: {mode: shell}\n  hooks:\n${lines(many, () => '    - 5')}\n`);
    expect(MAX_DIAGNOSTICS).toBe(100);
    expect(result.valid).toBe(false);
    expect(result.diagnostics).toHaveLength(100);
    expect(result.diagnostics.map((diagnostic) => diagnostic.line)).toEqual(Array.from({ length: 100 }, (_, index) => index + 4));
    expect(result.omitted).toEqual({ errors: many - 100, warnings: 0 });
  });

  it('counts thousands of bad names in one mapping', () => {
    const result = validateConfigText(`postSwitch:\n  handoff: {mode: shell}\n  environment:\n${lines(many, (index) => `    ${index}x: v`)}\n`);
    expect(result.diagnostics).toHaveLength(100);
    expect(result.diagnostics[99]).toMatchObject({ code: 'invalid-value', pointer: '/postSwitch/environment/99x', line: 103, column: 5 });
    expect(result.omitted).toEqual({ errors: many - 100, warnings: 0 });
  });

  it('counts thousands of unknown dependencies among thousands of processes', () => {
    const count = 4000;
    const result = validateConfigText(`postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n${lines(count, (index) => `      p${index}: {program: /bin/p, dependsOn: [q${index}]}`)}\n`);
    expect(result.diagnostics).toHaveLength(100);
    expect(result.diagnostics[0]).toMatchObject({ code: 'unknown-dependency', line: 5 });
    expect(result.omitted).toEqual({ errors: count - 100, warnings: 0 });
  });

  it('counts thousands of repeated keys', () => {
    const result = validateConfigText(`postSwitch:\n  handoff: {mode: shell}\n  environment:\n${lines(many, () => '    A: v')}\n`);
    expect(result.diagnostics).toHaveLength(100);
    expect(result.diagnostics[0]).toMatchObject({ code: 'yaml-duplicate-key', line: 5, column: 5 });
    expect(result.omitted).toEqual({ errors: many - 1 - 100, warnings: 0 });
  });

  it('omits nothing below the limit', () => {
    const result = validateConfigText(`postSwitch:\n  handoff: {mode: shell}\n  hooks:\n${lines(100, () => '    - 5')}\n`);
    expect(result.diagnostics).toHaveLength(100);
    expect(result.omitted).toEqual({ errors: 0, warnings: 0 });
  });
});
