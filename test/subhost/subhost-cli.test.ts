// The subhost verb's usage, refusals and exit codes (0 ok, 1 refused, 2 usage or I/O), run as a user runs it.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, subhostDir, uniqueName } from './subhost-fixture';

describe('bootstrap subhost', () => {
  it('prints its help with --help (0) and without an action (2)', () => {
    const help = cli(['subhost', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/bootstrap subhost start CONFIG/);
    expect(cli(['subhost']).status).toBe(2);
    expect(cli(['subhost', 'start', '--help']).status).toBe(0);
  });

  it('refuses an unknown action and missing arguments as usage errors (2)', () => {
    const unknown = cli(['subhost', 'strat']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown action "strat"/);
    expect(cli(['subhost', 'start']).status).toBe(2);
    expect(cli(['subhost', 'list', '--output', 'xml']).status).toBe(2);
  });

  it('refuses a config without a subhost section (1) and an unreadable one (2)', () => {
    const dir = subhostDir('nosub', 'postSwitch:\n  handoff: {mode: none}\n');
    const run = cli(['subhost', 'start', dir.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not a subhost config: it has no `subhost` section/);
    expect(cli(['subhost', 'start', join(dir.top, 'missing.yaml')]).status).toBe(2);
    expect(cli(['subhost', 'start', '/dev/zero']).status).toBe(2);
  });

  it('reports an invalid subhost config with line and column (1)', () => {
    const dir = subhostDir('bad', 'subhost:\n  rooot: {}\npostSwitch:\n  handoff: {mode: none}\n');
    const run = cli(['subhost', 'start', dir.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/:2:3: error unknown-key: unknown key `rooot`/);
  });

  it('says a subhost that is not there is stopped (1) for status, stop and enter', () => {
    const name = uniqueName('none');
    const status = cli(['subhost', 'status', name, '--output', 'json']);
    expect(status.status).toBe(1);
    expect(JSON.parse(status.stdout)).toEqual({ name, condition: 'stopped' });
    expect(cli(['subhost', 'stop', name]).stderr).toMatch(new RegExp(`no subhost ${name} is running or hibernating`));
    expect(cli(['subhost', 'enter', name]).status).toBe(1);
  });

  it('takes a config file for stop and status, naming the subhost from it', () => {
    const dir = subhostDir('byfile', 'subhost: {name: byfilename}\npostSwitch:\n  handoff: {mode: none}\n');
    const run = cli(['subhost', 'status', dir.config]);
    expect(run.stdout).toMatch(/^byfilename: stopped/);
  });

  it('plan of a subhost config shows what start does on the host and PID 1 before its boot, changing nothing', () => {
    const dir = subhostDir('plan', 'subhost:\n  root: {ramSize: 8m}\n  share: [{source: /srv, readOnly: true}]\npostSwitch:\n  handoff: {mode: none}\n');
    const run = cli(['plan', dir.config]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^subhost start \(on the host\):\n/);
    expect(run.stdout).toMatch(new RegExp(`mount tmpfs \\(size=8m\\) on /run/bootstrap/subhosts/${dir.name}/ram`));
    expect(run.stdout).toMatch(new RegExp(`mount overlay on ${dir.base}/live \\(lowerdir=/,upperdir=/run/bootstrap/subhosts/${dir.name}/ram/root,`));
    expect(run.stdout).toMatch(/bind \/srv on .*\/live\/srv read-only/);
    expect(run.stdout).toMatch(/pivot_root into .*\/live and detach the host's tree\npreSwitch:/);
    expect(run.stdout).not.toMatch(/new namespaces/);
    expect(existsSync(`/run/bootstrap/subhosts/${dir.name}`)).toBe(false);
  });
});
