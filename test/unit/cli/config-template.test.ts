// Each template is valid as printed, and each says what it is for.
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../../helpers/run-cli-in-memory';

describe('bootstrap config-template', () => {
  it.each(['shell', 'supervise', 'exec'])('--mode %s prints a commented template that validates', async (mode) => {
    const template = await runInMemory(['config-template', '--mode', mode]);
    expect(template.code).toBe(0);
    expect(template.stdout).toMatch(/^# /);
    expect(template.stdout).toContain(`mode: ${mode}`);
    const check = await runInMemory(['validate', '--output', 'json', '-'], template.stdout);
    expect(JSON.parse(check.stdout)).toEqual({ valid: true, errors: [] });
    expect(check.code).toBe(0);
  });

  it('defaults to shell and rejects an unknown mode with exit 2', async () => {
    expect((await runInMemory(['config-template'])).stdout).toContain('mode: shell');
    const bad = await runInMemory(['config-template', '--mode', 'systemd']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--mode must be one of shell, supervise, exec');
  });
});
