// `bootstrap validate` through the CLI: output forms, exit codes, unreadable inputs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../../helpers/run-cli-in-memory';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const valid = file('valid.yaml', 'postSwitch:\n  handoff:\n    mode: shell\n');
const invalid = file('invalid.yaml', 'logLevel: loud\npostSwitch:\n  handoff:\n    mode: shell\n    onExit: never\n');

describe('bootstrap validate', () => {
  it('exits 0 and says valid', async () => {
    expect(await runInMemory(['validate', valid])).toEqual({ code: 0, stdout: `${valid}: valid\n`, stderr: '' });
  });

  it('exits 1 and lists every error as FILE:LINE:COLUMN', async () => {
    const run = await runInMemory(['validate', invalid]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      `${invalid}:1:11: error invalid-value: \`logLevel\` must be one of trace, debug, info, warn, error, not the string "loud"`,
      `${invalid}:5:13: error invalid-value: \`onExit\` must be one of respawn, poweroff, reboot, halt, not the string "never"`,
      `${invalid}: invalid (2 errors)`,
      '',
    ]);
  });

  it('--output json gives one object with code, severity, pointer, line, column and message', async () => {
    const run = await runInMemory(['validate', '--output', 'json', invalid]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { valid: boolean; errors: Record<string, unknown>[] };
    expect(report.valid).toBe(false);
    expect(report.errors).toHaveLength(2);
    expect(Object.keys(report.errors[0]!)).toEqual(['code', 'severity', 'pointer', 'line', 'column', 'message']);
    expect(report.errors[0]).toMatchObject({ code: 'invalid-value', severity: 'error', pointer: '/logLevel', line: 1, column: 11 });
  });

  it('reads standard input for -', async () => {
    expect((await runInMemory(['validate', '-'], 'postSwitch: {handoff: {mode: shell}}\n')).code).toBe(0);
    expect((await runInMemory(['validate', '--output=json', '-'], 'logLevel: [\n')).code).toBe(1);
  });

  it.each([
    ['a missing file', join(dir, 'absent.yaml'), 'no such file'],
    ['a directory', dir, 'it is a directory'],
  ])('exits 2 for %s with a message on stderr', async (_, path, words) => {
    const run = await runInMemory(['validate', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(words);
    expect(run.stdout).toBe('');
  });

  it('an unreadable file with --output json is still one JSON object, exit 2', async () => {
    const run = await runInMemory(['validate', '--output', 'json', join(dir, 'absent.yaml')]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, errors: [{ code: 'io-error' }] });
  });

  it.each([
    [['validate'], 'missing FILE'],
    [['validate', 'a', 'b'], 'unexpected argument'],
    [['validate', '--output', 'xml', valid], 'must be one of text, json'],
    [['validate', '--outptu', 'json', valid], 'unknown option --outptu'],
    [['validate', '--output'], 'needs a value'],
  ])('usage errors exit 2: %j', async (args, words) => {
    const run = await runInMemory(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(words);
    expect(run.stderr).toContain("Try 'bootstrap validate --help'");
  });
});

describe('bootstrap (top level)', () => {
  it.each([['validate'], ['plan'], ['config-template']])('%s --help prints usage and exits 0', async (verb) => {
    const run = await runInMemory([verb, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: bootstrap ${verb}`));
    expect(run.stdout).toContain('Exit status');
  });

  it('--help lists the verbs; no arguments prints it too but exits 2', async () => {
    const help = await runInMemory(['--help']);
    expect(help.code).toBe(0);
    for (const verb of ['validate', 'plan', 'config-template']) expect(help.stdout).toContain(`  ${verb}`);
    expect((await runInMemory([])).code).toBe(2);
  });

  it('--version prints the version', async () => {
    expect(await runInMemory(['--version'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\S+\n$/) as unknown });
  });

  it('an unknown verb exits 2 with a suggestion', async () => {
    const run = await runInMemory(['valdiate', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean validate?');
  });
});
