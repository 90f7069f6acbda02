// validate, plan and pack with user-chosen names that are members of Object.prototype: a result or a diagnostic, never a crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../helpers/run-cli-in-memory';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-proto-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const legal = file(
  'legal.yaml',
  `postSwitch:
  environment: {toString: a, constructor: b}
  handoff:
    mode: supervise
    processes:
      toString: {program: /bin/true}
      constructor: {program: /bin/true, dependsOn: [toString], environment: {valueOf: c}}
      hasOwnProperty: {program: /bin/true, dependsOn: {constructor: started}}
`,
);
const unknown = file(
  'unknown.yaml',
  `postSwitch:
  handoff:
    mode: supervise
    processes:
      web: {program: /bin/true, dependsOn: [toString]}
`,
);

describe('names that are members of Object.prototype, through the CLI', () => {
  it('a service literally named toString validates, plans and packs', async () => {
    expect(await runInMemory(['validate', legal])).toEqual({ code: 0, stdout: `${legal}: valid\n`, stderr: '' });
    const plan = await runInMemory(['plan', '--output', 'json', legal]);
    expect(plan.code).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { steps: { kind: string; handoff?: { processes?: Record<string, unknown> } }[] }).steps;
    expect(steps.at(-1)?.handoff?.processes).toEqual({ toString: { argv: ['/bin/true'] }, constructor: { argv: ['/bin/true'] }, hasOwnProperty: { argv: ['/bin/true'] } });
    const pack = await runInMemory(['pack', '--config', legal, '--output', join(dir, 'legal.img'), '--binary', '/bin/true', '--compress', 'none']);
    expect(pack).toMatchObject({ code: 0, stderr: '' });
  });

  it('a dependency on toString, which no service is, is unknown: exit 1 with its line and column', async () => {
    for (const args of [['validate', unknown], ['plan', unknown], ['pack', '--config', unknown, '--output', join(dir, 'unknown.img'), '--binary', '/bin/true']]) {
      const run = await runInMemory(args);
      expect(run.code, args[0]).toBe(1);
      expect(run.stdout + run.stderr).toContain(`${unknown}:5:45: error unknown-dependency: web depends on toString, which is not a process here`);
    }
  });

  it('an option named like a prototype member is an unknown option, exit 2', async () => {
    for (const option of ['--toString', '--constructor', '--__proto__']) {
      const run = await runInMemory(['validate', option, legal]);
      expect(run.code, option).toBe(2);
      expect(run.stderr).toContain(`unknown option ${option}`);
    }
  });
});
