// overlay-boot's own .conf files, started as they are and through the YAML `import` prints for them: the seed's
// smallest subhost (BASE=. in ex1/ex1.conf), and values computed by !commands.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, mountsUnder, status, subhostDir, subhostStarter } from './subhost-fixture';

const { start } = subhostStarter();

/** What `enter` shows of the host's files, and where a write inside lands. */
function checkOverlay(name: string, base: string, top: string, marker: string): void {
  const run = cli(['subhost', 'enter', name, '--', '/bin/sh', '-c', `cat ${marker}; cat /proc/1/comm; echo from-${name} > ${top}/written`]);
  expect(run.stdout).toBe('host file\nbootstrap\n');
  expect(existsSync(join(top, 'written'))).toBe(false);
  expect(readFileSync(join(base, 'root', top.slice(1), 'written'), 'utf8')).toBe(`from-${name}\n`);
}

describe('the seed\'s smallest subhost, from its .conf', () => {
  it('starts from ex1.conf (BASE=.) and from the YAML import prints for it, the same way', () => {
    const dir = subhostDir('conf', '');
    const conf = join(dir.base, `${dir.name}.conf`);
    writeFileSync(conf, 'BASE=.\n');
    const marker = join(dir.top, 'marker');
    writeFileSync(marker, 'host file\n');

    start(conf, dir.name);
    expect(status(dir.name).condition).toBe('running');
    checkOverlay(dir.name, dir.base, dir.top, marker);
    expect(cli(['subhost', 'stop', conf]).status).toBe(0);
    expect(mountsUnder(dir.base)).toEqual([]);

    const imported = cli(['subhost', 'import', conf]);
    expect(imported.status, imported.stderr).toBe(0);
    writeFileSync(dir.config, imported.stdout);
    start(dir.config, dir.name);
    checkOverlay(dir.name, dir.base, dir.top, marker);
  });

  it('runs !command values when it starts (LIVE computed in the .conf\'s directory)', () => {
    const dir = subhostDir('cmd', '', ['root', 'work', 'elsewhere']);
    const conf = join(dir.base, `${dir.name}.conf`);
    writeFileSync(conf, 'BASE=.\nLIVE=!printf "%s" "$(pwd)/elsewhere"\nSTART=none\n');
    start(conf, dir.name);
    expect(mountsUnder(dir.base)).toEqual([join(dir.base, 'elsewhere')]);
  });

  it('refuses a .conf with an unknown variable, naming its line, before anything changes', () => {
    const dir = subhostDir('unk', '');
    const conf = join(dir.base, `${dir.name}.conf`);
    writeFileSync(conf, 'BASE=.\nUPPPER=root\n');
    const run = cli(['subhost', 'start', conf]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/:2: error unknown-variable: UPPPER is not an overlay-boot variable \(did you mean UPPER\?\)/);
    expect(mountsUnder(dir.base)).toEqual([]);
  });
});
