// plan --output json and pack --output-format json print one JSON object on every outcome, failures included.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../helpers/run-cli-in-memory';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-json-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const invalid = file('invalid.yaml', 'postSwitch:\n  handoff: {mode: exce}\n');
const modules = file('modules.yaml', 'postSwitch:\n  modules: {names: [virtiofs]}\n  handoff: {mode: shell}\n');
const valid = file('valid.yaml', 'postSwitch:\n  handoff: {mode: shell}\n');
const missing = join(dir, 'missing.yaml');

interface Report {
  valid?: boolean;
  errors?: { code: string; line: number; column: number; message: string }[];
  error?: { reason: string; message: string };
}

const pack = (config: string, ...more: string[]): string[] => ['pack', '--output-format', 'json', '--config', config, '--output', join(dir, 'out.img'), '--binary', '/bin/true', '--compress', 'none', ...more];

describe('JSON output on failure', () => {
  it('plan --output json: an invalid config gives {valid: false, errors}, exit 1', async () => {
    const run = await runInMemory(['plan', '--output', 'json', invalid]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout) as Report).toMatchObject({ valid: false, errors: [{ code: 'invalid-value', line: 2, column: 19 }] });
  });

  it('plan --output json: an unreadable config gives the io-error, exit 2', async () => {
    const run = await runInMemory(['plan', '--output', 'json', missing]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout) as Report).toMatchObject({ valid: false, errors: [{ code: 'io-error', message: `cannot read ${missing}: no such file` }] });
  });

  it('pack --output-format json: an invalid config gives {valid: false, errors}, exit 1', async () => {
    const run = await runInMemory(pack(invalid));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout) as Report).toMatchObject({ valid: false, errors: [{ code: 'invalid-value', line: 2, column: 19 }] });
  });

  it('pack --output-format json: an unreadable config gives the io-error, exit 2', async () => {
    const run = await runInMemory(pack(missing));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout) as Report).toMatchObject({ valid: false, errors: [{ code: 'io-error' }] });
  });

  it('pack --output-format json: a pack that cannot be made gives {error: {reason, message}}', async () => {
    const needsModules = await runInMemory(pack(modules));
    expect(needsModules.code).toBe(1);
    expect(JSON.parse(needsModules.stdout) as Report).toEqual({ error: { reason: 'modules', message: expect.stringContaining('give --modules-from') as string } });
    const noBinary = await runInMemory([...pack(valid).slice(0, -4), '--binary', join(dir, 'nothing')]);
    expect(noBinary.code).toBe(2);
    expect(JSON.parse(noBinary.stdout) as Report).toMatchObject({ error: { reason: 'binary' } });
  });
});
