// `bootstrap subhost import FILE.conf`, run in-process: the commented YAML or JSON, exit codes 0/1/2, usage errors.
import { mkdtempSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { processIo, type CliIo } from '../../src/cli/io';
import { runSubhostImport, subhostImportHelp } from '../../src/cli/verbs/subhost-import';
import { runInMemory } from '../helpers/run-cli-in-memory';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'subhost-import-')));
const file = (name: string, text: string | Uint8Array): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const smallest = file('copy/copy.conf', 'BASE=.\n');
const tiny = file('tiny/tiny.conf', 'BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { ...processIo, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await runSubhostImport(args, io);
  return { code, stdout, stderr };
}

interface Report {
  valid: boolean;
  errors: { code: string; severity: string; line: number; message: string }[];
  config?: Record<string, unknown>;
}

describe('subhost import', () => {
  it('--help prints the help, exit 0', async () => {
    expect(await run('--help')).toEqual({ code: 0, stdout: subhostImportHelp, stderr: '' });
    expect(subhostImportHelp).toMatch(/^Usage: bootstrap subhost import FILE\.conf \[--output yaml\|json\]/);
  });

  it('usage errors say how to fix them, exit 2', async () => {
    const usage = (message: string) => ({ code: 2, stdout: '', stderr: `bootstrap subhost import: ${message}\nTry 'bootstrap subhost import --help'.\n` });
    expect(await run()).toEqual(usage('missing FILE.conf'));
    expect(await run(smallest, tiny)).toEqual(usage(`unexpected argument ${JSON.stringify(tiny)}`));
    expect(await run('--output', 'xml', smallest)).toEqual(usage('--output must be one of yaml, json, not "xml"'));
    expect(await run('-')).toEqual(usage("FILE.conf is read from a file, not standard input: BASE is relative to the file's directory"));
    expect(await run('web.yaml')).toEqual(usage('web.yaml is named as a YAML config; import reads an overlay-boot .conf (check a YAML config with bootstrap validate)'));
  });

  it('prints the commented YAML of a .conf, exit 0', async () => {
    const { code, stdout, stderr } = await run(smallest);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^# A bootstrap subhost config, imported from copy\.conf \(overlay-boot\)/);
    expect(stdout).toContain('  base: . # from BASE (line 1)\n');
    expect(parse(stdout)).toEqual({
      subhost: { name: 'copy', base: '.', root: { lower: '/', upper: 'root', work: 'work', live: 'live' } },
      namespaces: ['mount', 'pid', 'net', 'uts', 'ipc'],
      postSwitch: { handoff: { mode: 'none' } },
    });
  });

  it('prints the cables of a .conf as subhost.cables, exit 0', async () => {
    const { code, stdout, stderr } = await run(tiny);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toContain('\n  # from CABLES (line 2): cable i is a veth pair, tiny<i> on the host and eth<i> in the subhost,');
    expect(parse(stdout)).toMatchObject({ subhost: { name: 'tiny', root: { lower: 'base' }, cables: [{}] }, postSwitch: { handoff: { mode: 'none' } } });
  });

  it('--output json: the config as data and the findings, on every outcome', async () => {
    const ok = await run('--output', 'json', smallest);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, errors: [], config: parse((await run(smallest)).stdout) as unknown });
    const cable = await run('--output', 'json', tiny);
    const report = JSON.parse(cable.stdout) as Report;
    expect([cable.code, report.valid, report.errors]).toEqual([0, true, []]);
    expect(report.config).toMatchObject({ subhost: { name: 'tiny', cables: [{}] } });
    const bad = await run('--output', 'json', file('bad.conf', 'BASE=.\nSTART=\n'));
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ valid: false, errors: [{ code: 'invalid-value', severity: 'error', line: 2, message: 'START is empty: write START=none to start no services, or list them' }] });
    const missing = await run('--output', 'json', join(dir, 'missing.conf'));
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({ valid: false, errors: [{ code: 'io-error', severity: 'error', line: 0, message: `cannot read ${join(dir, 'missing.conf')}: no such file` }] });
  });

  it('an invalid or unreadable .conf: the diagnostics on stderr, nothing on stdout, exit 1 or 2', async () => {
    const conflict = file('conflict.conf', 'BASE=.\nINIT=/sbin/init\nSTART=ssh\n');
    expect(await run(conflict)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${conflict}:3: error conflicting-variables: INIT (line 2) and START (line 3) cannot both be set: bootstrap either becomes the INIT program or starts the START services itself; keep one\n${conflict}: invalid (1 error)\n`,
    });
    const binary = file('binary.conf', new Uint8Array([0x42, 0x3d, 0xc3, 0x28, 0x0a]));
    expect(await run(binary)).toMatchObject({ code: 1, stdout: '', stderr: `${binary}: error not-text: the file is not UTF-8 text; an overlay-boot .conf is lines of NAME=value\n${binary}: invalid (1 error)\n` });
    expect(await run(join(dir, 'missing.conf'))).toEqual({ code: 2, stdout: '', stderr: `${join(dir, 'missing.conf')}: error io-error: cannot read ${join(dir, 'missing.conf')}: no such file\n${join(dir, 'missing.conf')}: invalid (1 error)\n` });
  });

  it('runs !commands with /bin/sh in the .conf\'s directory and says so by the value', async () => {
    const conf = file('cmd/cmd.conf', 'NAME=!printf web%s 42\nBASE=!pwd\n');
    const { code, stdout } = await run(conf);
    expect(code).toBe(0);
    expect(stdout).toContain('  name: web42 # from NAME (line 1): the output of `!printf web%s 42` when imported\n');
    // pwd printed the .conf's directory, which the YAML writes relative to itself.
    expect(stdout).toContain('  base: . # from BASE (line 2): the output of `!pwd` when imported\n');
    const failing = file('cmd/failing.conf', 'BASE=.\nSTART=!exit 3\n');
    expect(await run(failing)).toMatchObject({ code: 1, stderr: expect.stringContaining(`${failing}:2: error command-failed: START: command "exit 3" failed: exited with status 3`) as unknown });
  });

  it('prints a config that bootstrap validate accepts and bootstrap plan plans', async () => {
    const mta = file('mta/mta.conf', 'BASE=.\nSTART= rsyslog networking ssh\n');
    const yaml = file('mta/mta.yaml', (await run(mta)).stdout);
    expect(await runInMemory(['validate', yaml])).toEqual({ code: 0, stdout: `${yaml}: valid\n`, stderr: '' });
    const plan = await runInMemory(['plan', yaml]);
    expect([plan.code, plan.stderr]).toEqual([0, '']);
    expect(plan.stdout).toContain('supervise rsyslog ["/usr/sbin/service","rsyslog","start"], networking ["/usr/sbin/service","networking","start"], ssh ["/usr/sbin/service","ssh","start"]');
  });
});
