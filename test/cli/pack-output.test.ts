// pack --output never replaces an input of the pack (by path, symlink or hard link), and a failed write leaves the old image.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory, type CliRun } from '../helpers/run-cli-in-memory';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-output-'));
const configText = 'postSwitch:\n  handoff: {mode: shell}\n';
const config = join(dir, 'bootstrap.yaml');
writeFileSync(config, configText);
const binary = join(dir, 'init');
copyFileSync('/bin/true', binary);
const binaryBytes = readFileSync(binary);
const extra = join(dir, 'extra');
mkdirSync(extra);
writeFileSync(join(extra, 'file'), 'extra\n');
// A module tree with one module, for a module file as the output.
const modulesFrom = join(dir, 'lib/modules/6.1.0');
mkdirSync(join(modulesFrom, 'kernel'), { recursive: true });
writeFileSync(join(modulesFrom, 'modules.dep'), 'kernel/a.ko:\n');
writeFileSync(join(modulesFrom, 'kernel/a.ko'), '\x7fELF module\n');

const pack = (output: string, ...more: string[]): Promise<CliRun> =>
  runInMemory(['pack', '--config', config, '--binary', binary, '--output', output, '--compress', 'none', ...more]);

describe('pack --output', () => {
  it.each([
    ['the config', config, 'the config (--config)'],
    ['the binary', binary, 'the binary (--binary)'],
  ])('refuses %s as the output, exit 2, and leaves it alone', async (_, output, role) => {
    const run = await pack(output);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`refusing to write ${output}: it is ${output}, ${role}`);
    expect(readFileSync(config, 'utf8')).toBe(configText);
    expect(readFileSync(binary)).toEqual(binaryBytes);
  });

  it('sees through a symlink, a hard link and another spelling of the path', async () => {
    const symlink = join(dir, 'symlink.img');
    symlinkSync(config, symlink);
    const hardLink = join(dir, 'hardlink.img');
    linkSync(binary, hardLink);
    for (const output of [symlink, hardLink, join(dir, '.', 'extra', '..', 'bootstrap.yaml')]) {
      const run = await pack(output);
      expect(run.code, output).toBe(2);
      expect(run.stderr).toContain('refusing to write');
    }
    expect(readFileSync(config, 'utf8')).toBe(configText);
    expect(readFileSync(binary)).toEqual(binaryBytes);
  });

  it('refuses an --add file or a module as the output', async () => {
    const added = await pack(join(extra, 'file'), '--add', `${extra}:/opt/extra`);
    expect(added.code).toBe(2);
    expect(added.stderr).toContain(`it is ${join(extra, 'file')}, a file the image is made from`);
    expect(readFileSync(join(extra, 'file'), 'utf8')).toBe('extra\n');
    const module = join(modulesFrom, 'kernel/a.ko');
    const packed = await pack(module, '--modules-from', modulesFrom, '--module', 'a');
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain(`it is ${module}, a file the image is made from`);
    expect(readFileSync(module, 'utf8')).toBe('\x7fELF module\n');
  });

  it('writes a new image over an old one, keeping its mode', async () => {
    const output = join(dir, 'replaced.img');
    writeFileSync(output, 'old image\n', { mode: 0o600 });
    expect((await pack(output)).code).toBe(0);
    expect(readFileSync(output).subarray(0, 6).toString()).toBe('070701');
    expect(spawnSync('stat', ['-c', '%a', output], { encoding: 'utf8', timeout: 5000 }).stdout.trim()).toBe('600');
  });

  it('a write that fails midway leaves the old image whole and no temporary file', () => {
    const failing = join(dir, 'failing');
    mkdirSync(failing);
    const output = join(failing, 'initrd.img');
    writeFileSync(output, 'old image\n');
    // A file size limit of 512 KB: the ~2 MB image cannot be written (EFBIG), as a full disk would refuse it.
    const bootstrap = join(import.meta.dirname, '../../dist/bootstrap');
    const run = spawnSync('sh', ['-c', 'ulimit -f 1000 && exec "$@"', 'sh', bootstrap, 'pack', '--config', config, '--binary', binary, '--output', output, '--compress', 'none'], { encoding: 'utf8', timeout: 20_000 });
    expect(existsSync(bootstrap)).toBe(true);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cannot write ${output}`);
    expect(readFileSync(output, 'utf8')).toBe('old image\n');
    expect(readdirSync(failing)).toEqual(['initrd.img']);
  });
});
