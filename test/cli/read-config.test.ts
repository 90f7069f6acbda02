// Every verb that reads a config refuses what is not a regular file of at most 16 MiB, at once and with why: exit 2.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const binary = join(import.meta.dirname, '../../dist/bootstrap');
const dir = mkdtempSync(join(tmpdir(), 'bootstrap-read-'));
const fifo = join(dir, 'fifo');
const big = join(dir, 'big.yaml');

// The real executable: a read that blocks or grows without end shows only in a real process, bounded by the timeout.
function bootstrap(args: string[], options: SpawnSyncOptions = {}): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const run = spawnSync(binary, args, { cwd: '/', env: {}, encoding: 'utf8', timeout: 20_000, maxBuffer: 1 << 20, ...options });
  return { status: run.status, signal: run.signal, stdout: String(run.stdout), stderr: String(run.stderr) };
}

const verbs = (path: string): string[][] => [
  ['validate', path],
  ['plan', path],
  ['pack', '--config', path, '--output', join(dir, 'out.img'), '--binary', '/bin/true'],
  ['supervise', '--config', path],
];

describe('reading a config', () => {
  beforeAll(() => {
    if (!existsSync(binary)) throw new Error('dist/bootstrap is missing: run `npm run build` first (npm test does)');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 16 * 1024 * 1024 + 1);
    closeSync(fd);
  });

  it('a FIFO without a writer is refused at once by every verb', () => {
    for (const args of verbs(fifo)) {
      const run = bootstrap(args);
      expect(run.signal, args[0]).toBeNull();
      expect(run.status, args[0]).toBe(2);
      expect(run.stdout + run.stderr).toContain(`cannot read ${fifo}: it is a FIFO (named pipe), not a regular file`);
    }
  });

  it('/dev/zero, /dev/urandom and a directory are refused by every verb', () => {
    for (const [path, words] of [
      ['/dev/zero', 'it is a character device'],
      ['/dev/urandom', 'it is a character device'],
      [dir, 'it is a directory'],
    ] as const) {
      for (const args of verbs(path)) {
        const run = bootstrap(args);
        expect(run.status, `${args[0]} ${path}`).toBe(2);
        expect(run.stdout + run.stderr).toContain(`cannot read ${path}: ${words}`);
      }
    }
  });

  it('a file over 16 MiB is refused, saying so', () => {
    const run = bootstrap(['validate', big]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cannot read ${big}: it is 16777217 bytes, more than 16 MiB; a config is at most 16 MiB`);
  });

  it('standard input is read up to 16 MiB: an endless one and a bigger one are refused', () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      const endless = bootstrap(['validate', '-'], { stdio: [zero, 'pipe', 'pipe'] });
      expect(endless.status).toBe(2);
      expect(endless.stderr).toContain('cannot read standard input: it is larger than 16 MiB');
    } finally {
      closeSync(zero);
    }
    const bigger = bootstrap(['plan', '-'], { input: `# ${'x'.repeat(16 * 1024 * 1024)}\n` });
    expect(bigger.status).toBe(2);
    expect(bigger.stderr).toContain('cannot read standard input: it is larger than 16 MiB');
  });

  it('a modules.dep the config names is read with the same care: /dev/zero is no module tree', () => {
    const run = bootstrap(['validate', '-'], { input: 'postSwitch:\n  modules: {directory: /dev, depFilePath: zero, names: [virtiofs]}\n  handoff: {mode: shell}\n' });
    expect(run).toMatchObject({ status: 0, stdout: '<stdin>: valid\n' });
  });
});
