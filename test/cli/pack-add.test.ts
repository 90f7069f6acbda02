// pack --add SRC:DEST: a DEST ending in / puts SRC into that directory; every malformed or unpackable --add is a clear error.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInMemory, type CliRun } from '../helpers/run-cli-in-memory';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-add-'));
const config = join(dir, 'bootstrap.yaml');
writeFileSync(config, 'postSwitch:\n  handoff: {mode: shell}\n');
const file = join(dir, 'motd');
writeFileSync(file, 'hello\n');
const tree = join(dir, 'tree');
mkdirSync(join(tree, 'sub'), { recursive: true });
writeFileSync(join(tree, 'sub', 'leaf'), 'leaf\n');
const fifo = join(dir, 'fifo');
spawnSync('mkfifo', [fifo], { timeout: 5000 });
const output = join(dir, 'initrd.img');

const pack = (...adds: string[]): Promise<CliRun> =>
  runInMemory(['pack', '--config', config, '--output', output, '--binary', '/bin/true', '--compress', 'none', ...adds.flatMap((add) => ['--add', add])]);

const names = (): string[] => execFileSync('cpio', ['-it', '--quiet'], { input: readFileSync(output), encoding: 'utf8', timeout: 20_000 }).trim().split('\n');

describe('pack --add', () => {
  it('a destination ending in / puts a file or a tree into that directory under its own name', async () => {
    expect(await pack(`${file}:/opt/`, `${tree}:/srv/`, `${file}:/`, `${file}:/var//lib//`)).toMatchObject({ code: 0, stderr: '' });
    expect(names()).toEqual(expect.arrayContaining(['opt/motd', 'srv/tree', 'srv/tree/sub', 'srv/tree/sub/leaf', 'motd', 'var/lib/motd']));
  });

  it('a destination without a trailing slash is the path itself', async () => {
    expect(await pack(`${file}:/etc/motd`, `${tree}:/srv/data`)).toMatchObject({ code: 0 });
    expect(names()).toEqual(expect.arrayContaining(['etc/motd', 'srv/data/sub/leaf']));
  });

  it.each([
    [':/x', 'missing SRC before the colon'],
    [`${file}:`, 'missing DEST after the colon'],
    [file, 'SRC:DEST'],
    [`${file}:relative/path`, 'DEST must be an absolute path'],
  ])('--add %s is a usage error', async (add, words) => {
    const run = await pack(add);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(words);
    expect(run.stderr).toContain("Try 'bootstrap pack --help'");
  });

  it.each([
    [`${file}:/a/../b`, 'without ".."'],
    [`${file}:/TRAILER!!!`, 'TRAILER!!!'],
    ['/:/opt/', 'has no name to put into /opt/'],
    [`${fifo}:/fifo`, 'is a block device, fifo or socket'],
    [`${join(dir, 'missing')}:/m`, 'no such file or directory'],
  ])('--add %s is refused with why, exit 2', async (add, words) => {
    const run = await pack(add);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(words);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
