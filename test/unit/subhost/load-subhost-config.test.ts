// loadSubhostConfig: a .conf or a YAML config, name and base resolved, the same bounds as every config read, and
// the round trip: what `subhost import` prints, saved beside the .conf, loads as the same Config as the .conf.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSubhostImport } from '../../../src/cli/verbs/subhost-import';
import { processIo } from '../../../src/cli/io';
import type { CommandOutput } from '../../../src/subhost/conf-command';
import { loadSubhostConfig, type LoadedSubhost, type LoadSubhostResult } from '../../../src/subhost/load-subhost-config';

/** A fresh directory (its real path: /tmp may be a link) holding `files`; returns its path. */
function directory(files: Record<string, string | Uint8Array> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'subhost-load-')));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function loaded(result: LoadSubhostResult): LoadedSubhost {
  if (!result.ok) throw new Error(`not loaded: ${result.message}`);
  return result.loaded;
}

function failed(result: LoadSubhostResult): { ioError: boolean; message: string } {
  if (result.ok) throw new Error(`loaded: ${JSON.stringify(result.loaded)}`);
  return result;
}

/** What `bootstrap subhost import FILE` prints on stdout, and its exit code. */
async function importOutput(file: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runSubhostImport([file], { ...processIo, stdout: (text) => void (stdout += text), stderr: () => undefined });
  return { code, stdout };
}

describe('a .conf', () => {
  it("is read as overlay-boot reads it: the README's /ex1/ex1.conf", () => {
    const dir = directory({ 'ex1/ex1.conf': 'BASE=.\n' });
    const result = loadSubhostConfig(join(dir, 'ex1/ex1.conf'));
    expect(result.ok && result.warnings).toEqual([]);
    expect(loaded(result)).toEqual({
      file: join(dir, 'ex1/ex1.conf'),
      format: 'conf',
      name: 'ex1',
      base: join(dir, 'ex1'),
      config: {
        console: 'console',
        subhost: { name: 'ex1', base: '.', root: { lower: '/', upper: 'root', work: 'work', live: 'live' }, stopTimeout: '30s' },
        namespaces: ['mount', 'pid', 'net', 'uts', 'ipc'],
        postSwitch: { initctl: false, handoff: { mode: 'none' } },
      },
    });
  });

  it('by a relative path: file and base come out absolute', () => {
    const dir = directory({ 'web/web.conf': 'BASE=../srv/web\n' });
    const { file, base, name } = loaded(loadSubhostConfig(relative(process.cwd(), join(dir, 'web/web.conf'))));
    expect([file, base, name]).toEqual([join(dir, 'web/web.conf'), join(dir, 'srv/web'), 'web']);
  });

  it('runs !commands through the runner given, with their lines, and by default with /bin/sh in the file\'s directory', () => {
    const dir = directory({ 'a/a.conf': 'NAME=!name\nBASE=!pwd\n' });
    const calls: [string, number][] = [];
    const runCommand = (command: string, line: number): CommandOutput => {
      calls.push([command, line]);
      return { ok: true, stdout: command === 'name' ? 'fake\n' : '/srv/fake\n' };
    };
    expect(loaded(loadSubhostConfig(join(dir, 'a/a.conf'), { runCommand }))).toMatchObject({ name: 'fake', base: '/srv/fake' });
    expect(calls).toEqual([['name', 1], ['pwd', 2]]);
    writeFileSync(join(dir, 'a/a.conf'), 'NAME=!echo real\nBASE=!pwd\n');
    expect(loaded(loadSubhostConfig(join(dir, 'a/a.conf')))).toMatchObject({ name: 'real', base: join(dir, 'a') });
  });

  it('with cables loads them as subhost.cables; a misplaced VLAN is refused naming the line', () => {
    const dir = directory({ 'tiny/tiny.conf': 'BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n' });
    const path = join(dir, 'tiny/tiny.conf');
    expect(loaded(loadSubhostConfig(path)).config.subhost?.cables).toEqual([{}]);
    writeFileSync(path, 'BASE=.\nCABLES==.302\n');
    expect(failed(loadSubhostConfig(path)).message).toBe(
      `${path}:2: error invalid-value: CABLES (cable 0, "=.302"): a VLAN cable goes "on the prior host interface", the host end of a cable before it, and there is none: put a cable without vlan first\n${path}: invalid (1 error)\n`,
    );
    // An empty CABLES is no cable: "without networking", as the manual's smallest subhost.
    writeFileSync(path, 'BASE=.\nCABLES=\nSTART= none\n');
    expect(loaded(loadSubhostConfig(path)).config.subhost?.cables).toBeUndefined();
  });

  it('that is invalid lists every problem as file:line: severity code: message', () => {
    const dir = directory({ 'a.conf': 'BASE=.\nSTART=ssh\nINIT=/sbin/init\n', 'b.conf': 'BASE=.\n  LIVE=x\nBOGUS=1\n', 'c.conf': new Uint8Array([0x42, 0x3d, 0xff, 0x0a]) });
    expect(failed(loadSubhostConfig(join(dir, 'a.conf'))).message).toBe(
      `${join(dir, 'a.conf')}:3: error conflicting-variables: INIT (line 3) and START (line 2) cannot both be set: bootstrap either becomes the INIT program or starts the START services itself; keep one\n${join(dir, 'a.conf')}: invalid (1 error)\n`,
    );
    const b = failed(loadSubhostConfig(join(dir, 'b.conf'))).message.split('\n');
    expect(b[0]).toMatch(new RegExp(`^${join(dir, 'b.conf')}:2: error malformed-line: `));
    expect(b[1]).toMatch(new RegExp(`^${join(dir, 'b.conf')}:3: error unknown-variable: BOGUS`));
    expect(failed(loadSubhostConfig(join(dir, 'c.conf')))).toEqual({ ok: false, ioError: false, message: expect.stringContaining('error not-text: the file is not UTF-8 text') as unknown });
  });
});

describe('a YAML config', () => {
  const handoff = 'postSwitch:\n  handoff: {mode: none}\n';

  it('with a subhost section: name from the file, base from its directory, warnings as validate prints them', () => {
    const dir = directory({ 'etc/web.yaml': `subhost:\n  base: ../srv/web\n  premount: [[mkdir, -p, /srv/web/live]]\n${handoff}` });
    const path = join(dir, 'etc/web.yaml');
    const result = loadSubhostConfig(path);
    expect(loaded(result)).toMatchObject({ file: path, format: 'yaml', name: 'web', base: join(dir, 'srv/web') });
    expect(result.ok && result.warnings).toEqual([`${path}:3:15: warning relative-program: \`mkdir\` is looked up in PATH when the hook runs; an absolute path does not depend on it`]);
  });

  it('without a subhost section is not a subhost config', () => {
    const dir = directory({ 'plain.yaml': handoff });
    expect(failed(loadSubhostConfig(join(dir, 'plain.yaml')))).toEqual({ ok: false, ioError: false, message: `${join(dir, 'plain.yaml')}: not a subhost config: it has no \`subhost\` section\n` });
  });

  it('named by subhost.name, or refused when neither it nor the file name is a subhost name', () => {
    const dir = directory({ 'my.web.yaml': `subhost: {base: .}\n${handoff}`, 'other.yaml': `subhost: {base: ., name: mail}\n${handoff}` });
    expect(failed(loadSubhostConfig(join(dir, 'my.web.yaml'))).message).toBe(
      `${join(dir, 'my.web.yaml')}: error invalid-value: subhost.name is not set, and the file name gives none: "my.web" is not a subhost name: 1–12 of A–Z a–z 0–9 _ -, starting with a letter or digit; set subhost.name\n`,
    );
    expect(loaded(loadSubhostConfig(join(dir, 'other.yaml'))).name).toBe('mail');
  });

  it('that is invalid gives the diagnostics validate prints', () => {
    const dir = directory({ 'bad.yaml': `namespaces: [net]\nsubhost: {base: .}\n${handoff}` });
    const path = join(dir, 'bad.yaml');
    expect(failed(loadSubhostConfig(path))).toEqual({
      ok: false,
      ioError: false,
      message: `${path}:1:13: error subhost-namespaces: a subhost needs the mount and pid namespaces (a root and a PID 1 of its own); add mount and pid\n${path}: invalid (1 error)\n`,
    });
  });
});

describe('reading', () => {
  it('a missing file, a directory, standard input, /dev/zero and a FIFO without a writer are I/O errors, at once', () => {
    const dir = directory();
    expect(failed(loadSubhostConfig(join(dir, 'none.conf')))).toEqual({ ok: false, ioError: true, message: `cannot read ${join(dir, 'none.conf')}: no such file\n` });
    expect(failed(loadSubhostConfig(dir))).toMatchObject({ ioError: true, message: expect.stringContaining('it is a directory') as unknown });
    expect(failed(loadSubhostConfig('-'))).toMatchObject({ ioError: true, message: expect.stringContaining('not standard input') as unknown });
    expect(failed(loadSubhostConfig('/dev/zero'))).toMatchObject({ ioError: true, message: expect.stringContaining('not a regular file') as unknown });
    execFileSync('mkfifo', [join(dir, 'fifo.conf')]);
    const started = Date.now();
    expect(failed(loadSubhostConfig(join(dir, 'fifo.conf')))).toMatchObject({ ioError: true, message: expect.stringContaining('not a regular file') as unknown });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the round trip: import, save beside the .conf, load', () => {
  const cases: [string, string][] = [
    ['copy/copy.conf', 'BASE=.\n'],
    ['tiny/tiny.conf', 'BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n'],
    ['mta/mta.conf', 'BASE=.\nCABLES= =\nSTART= rsyslog networking ssh saslauthd postfix dovecot\n'],
    ['net/net.conf', 'BASE=.\nCABLES=br0=02:00:00:00:00:01 = =.302\n'],
    ['etc/web.conf', 'NAME=web1\nBASE=../srv/web\nLIVE=/mnt/web-live\nUPPER=layers/up\nWORK=layers/work\nSHARE=/srv/data\nPREMOUNT=true\nPOSTMOUNT=echo mounted\nLOG=/var/log/web1.log\nRAM_SIZE=1G\nINIT=/sbin/init splash\n'],
    ['cmd/cmd.conf', 'NAME=!echo computed\nBASE=!pwd\nSTART=toString valueOf\n'],
  ];

  it.each(cases)('%s: the YAML import prints loads as the same config, name and base', async (name, text) => {
    const dir = directory({ [name]: text });
    const conf = join(dir, name);
    const yamlFile = conf.replace(/\.conf$/, '.yaml');
    const { code, stdout } = await importOutput(conf);
    expect(code).toBe(0);
    writeFileSync(yamlFile, stdout);
    const fromYaml = loaded(loadSubhostConfig(yamlFile));
    const again = loaded(loadSubhostConfig(conf));
    expect(fromYaml.config).toEqual(again.config);
    expect([fromYaml.name, fromYaml.base, fromYaml.format, again.format]).toEqual([again.name, again.base, 'yaml', 'conf']);
  });
});
