// Text that is not a config at all: every case gets one clear diagnostic with a place, never a throw.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { minimal } from './validate-helpers';

describe('input that is not a config', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const result = validateConfigText('postSwitch:\n  handoff: [unclosed\n');
    expect(result.valid).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ code: 'yaml-syntax', line: 3 });
  });

  it('reports a duplicate key at the second occurrence', () => {
    const result = validateConfigText(`logLevel: info\nlogLevel: debug\n${minimal}`);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'yaml-duplicate-key', line: 2, column: 1 })]);
    expect(result.diagnostics[0]!.message).toMatch(/logLevel|unique|once/);
  });

  it.each([
    ['an empty file', ''],
    ['only whitespace', '  \n\n'],
    ['only comments', '# nothing here\n# at all\n'],
  ])('reports %s as empty', (_, text) => {
    expect(validateConfigText(text).diagnostics).toEqual([expect.objectContaining({ code: 'empty-config', severity: 'error' })]);
  });

  it('reports binary garbage as not text', () => {
    const bytes = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x00, 0x80]);
    expect(validateConfigText(bytes).diagnostics).toEqual([expect.objectContaining({ code: 'not-text' })]);
  });

  it('reports a NUL byte in otherwise valid UTF-8 with its place', () => {
    expect(validateConfigText(new TextEncoder().encode('console: x\nlog\0Level: info\n')).diagnostics).toEqual([
      expect.objectContaining({ code: 'not-text', line: 2, column: 4 }),
    ]);
  });

  it.each([
    ['a list', '- a\n- b\n'],
    ['a scalar', 'just words\n'],
  ])('reports %s at the top as not a mapping', (_, text) => {
    expect(validateConfigText(text).diagnostics).toEqual([expect.objectContaining({ code: 'not-a-mapping' })]);
  });

  it('accepts a byte-order mark', () => {
    expect(validateConfigText(`\uFEFF${minimal}`).valid).toBe(true);
  });

  it('reports a missing postSwitch', () => {
    expect(validateConfigText('console: ttyS0\n').diagnostics).toEqual([expect.objectContaining({ code: 'missing-key', pointer: '', message: expect.stringContaining('postSwitch') as unknown })]);
  });
});
