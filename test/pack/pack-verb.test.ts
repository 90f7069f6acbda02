// `bootstrap pack` through the CLI: the config it validates is the config it packs, also from standard input.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory } from '../helpers/run-cli-in-memory';
import { configModules } from '../../src/pack/config-modules';
import { validateConfigText } from '../../src/config/validate-config';

const binary = join(import.meta.dirname, '../../dist/bootstrap');
const node = realpathSync(join(import.meta.dirname, '../../node_modules/.bin/node'));
const config = 'console: ttyS0\npostSwitch:\n  handoff: {mode: shell}\n';

describe('bootstrap pack', () => {
  it('packs the config read from standard input (a pipe can be read once: validated and packed from one read)', () => {
    const output = join(mkdtempSync(join(tmpdir(), 'pack-verb-')), 'initrd.img');
    // The real executable with a real pipe: an in-memory stdin could be read twice and hide the difference.
    execFileSync(binary, ['pack', '--config', '-', '--output', output, '--binary', node, '--compress', 'none'], { input: config });
    expect(execFileSync('sh', ['-c', 'cpio -i --quiet --to-stdout etc/bootstrap/bootstrap.yaml < "$0"', output], { encoding: 'utf8' })).toBe(config);
  });

  it('prepares the boot (config validated, plan) only in an image whose /init is the packing executable itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pack-verb-'));
    const member = (image: string, path: string): string => execFileSync('sh', ['-c', 'cpio -i --quiet --to-stdout "$1" < "$0"', image, path], { encoding: 'utf8' });
    const itself = join(dir, 'itself.img');
    // Through a symlink: the same file, whatever the path says.
    execFileSync('ln', ['-s', binary, join(dir, 'link')]);
    execFileSync(binary, ['pack', '--config', '-', '--output', itself, '--binary', join(dir, 'link'), '--compress', 'none'], { input: config });
    const prepared = JSON.parse(member(itself, 'etc/bootstrap/prepared.json')) as { version: string; configText: string; config: unknown };
    // The version and the build: a digest of the sources, so another build of the same version is told apart.
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    expect(prepared.version.startsWith(`${version} (build `)).toBe(true);
    expect(prepared.version).toMatch(/ \(build [0-9a-f]{16}\)$/);
    expect(prepared.configText).toBe(config);
    expect(prepared.config).toEqual(validateConfigText(config).config);
    const other = join(dir, 'other.img');
    execFileSync(binary, ['pack', '--config', '-', '--output', other, '--binary', node, '--compress', 'none'], { input: config });
    expect(member(other, 'etc/bootstrap/prepared.json')).toBe('');
    // So is its FFI addon: koffi's, named by a digest of its content.
    const addons = (image: string): string[] => execFileSync('sh', ['-c', 'cpio -t --quiet < "$0"', image], { encoding: 'utf8' }).split('\n').filter((path) => path.startsWith('lib/bootstrap/'));
    const [addon, ...more] = addons(itself);
    expect(more).toEqual([]);
    expect(addon).toMatch(/^lib\/bootstrap\/koffi-[0-9a-f]{16}\.node$/);
    const bytes = execFileSync('sh', ['-c', 'cpio -i --quiet --to-stdout "$1" < "$0"', itself, addon!], { maxBuffer: 16 << 20 });
    expect(bytes.equals(readFileSync(join(import.meta.dirname, '../../node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node')))).toBe(true);
    expect(addon).toBe(`lib/bootstrap/koffi-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.node`);
    expect(addons(other)).toEqual([]);
  });

  it('refuses an invalid config with its diagnostics, exit 1', async () => {
    const output = join(mkdtempSync(join(tmpdir(), 'pack-verb-')), 'initrd.img');
    const run = await runInMemory(['pack', '--config', '-', '--output', output, '--binary', node], 'postSwitch:\n  handoff: {mode: exce}\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refusing to pack an invalid config');
    expect(run.stderr).toContain('`mode` must be one of exec, shell, supervise');
  });
});

describe('the modules pack puts in the image', () => {
  const modulesOf = (text: string): string[] => configModules(validateConfigText(text).config!);

  it('are those of both phases without a switch, but not postSwitch ones after a switch: they load from the real root', () => {
    const phases = 'preSwitch:\n  modules: {names: [virtio_pci, virtiofs]}\npostSwitch:\n  modules: {names: [8021q]}\n  handoff: {mode: shell}\n';
    expect(modulesOf(phases)).toEqual(['virtio_pci', 'virtiofs', '8021q']);
    expect(modulesOf(`switchRoot:\n  rootFileSystem: {type: virtiofs, tag: rootfs}\n${phases}`)).toEqual(['virtio_pci', 'virtiofs']);
  });
});
