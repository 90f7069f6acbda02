// `bootstrap vm` before any guest starts: help, usage errors (exit 2), and one line naming what is missing (exit 2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const binary = join(import.meta.dirname, '../../dist/bootstrap');
const work = mkdtempSync(join(tmpdir(), 'bootstrap-vm-usage-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function vm(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(binary, ['vm', ...args], { cwd: '/', env: { ...env, XDG_CACHE_HOME: join(work, 'cache') }, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// A file with a bzImage's setup header naming `release`, enough for vm to read which modules it needs.
function fakeBzImage(release: string): string {
  const bytes = Buffer.alloc(0x1000);
  bytes.write('HdrS', 0x202, 'latin1');
  bytes.writeUInt16LE(0x3c0, 0x20e);
  bytes.write(`${release} (test) #1\0`, 0x5c0, 'latin1');
  const path = join(work, `vmlinuz-${release}`);
  writeFileSync(path, bytes);
  return path;
}

// A one-line error: exactly one line on stderr, no stack, nothing on stdout.
function oneLine(run: ReturnType<typeof vm>, text: string): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(`bootstrap vm: ${text}\n`);
}

describe('bootstrap vm without a guest', () => {
  beforeAll(() => {
    if (!existsSync(binary)) throw new Error('dist/bootstrap is missing: run `npm run build` first (npm test does)');
  });

  it('prints its help, listed in the main help too', () => {
    const help = vm(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: bootstrap vm [--root DIR] [--kernel FILE]');
    for (const flag of ['--root', '--kernel', '--modules', '--config', '--memory', '--cpus', '--virtiofsd', '--qemu', '--rw', '--append', '--accel']) expect(help.stdout).toContain(`  ${flag} `);
    const main = spawnSync(binary, ['--help'], { encoding: 'utf8' });
    expect(main.stdout).toMatch(/^ {2}vm +boot a directory/m);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['ls', '-l'], 'unexpected argument "ls"; put the command after --'],
    [['--memory', '12x', '--', 'true'], '--memory "12x": give a size such as 1G'],
    [['--memory', '128M', '--', 'true'], '--memory 128M: at least 512M'],
    [['--cpus', '0', '--', 'true'], '--cpus "0": give a whole number from 1 to 64'],
    [['--accel', 'hvf', '--', 'true'], '--accel must be one of auto, kvm, tcg'],
    [['--config', '/etc/bootstrap.yaml', '--', 'true'], '--config boots that config\'s own handoff'],
  ])('refuses %j as a usage error (exit 2)', (args, message) => {
    const run = vm(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`bootstrap vm: ${message}`);
    expect(run.stderr).toContain("Try 'bootstrap vm --help'.");
  });

  it('names a missing root directory, kernel, module tree, virtiofsd and QEMU in one line each', () => {
    const root = join(work, 'root');
    oneLine(vm(['--root', join(work, 'nowhere'), '--', 'true']), `--root ${join(work, 'nowhere')}: no such directory`);
    writeFileSync(root, 'a file');
    oneLine(vm(['--root', root, '--', 'true']), `--root ${root}: not a directory`);
    rmSync(root);
    const dir = work;
    // Any executable passes the tool lookup, which comes before the kernel's.
    const tools = ['--qemu', '/bin/true', '--virtiofsd', '/bin/true'];
    oneLine(vm(['--root', dir, ...tools, '--kernel', join(work, 'vmlinuz'), '--', 'true']), `--kernel ${join(work, 'vmlinuz')}: no such file`);
    oneLine(vm(['--root', dir, ...tools, '--kernel', '/bin/sh', '--', 'true']), '--kernel /bin/sh: not an x86 bzImage (no setup header with a version string)');
    const kernel = fakeBzImage('6.1.0-0-vmtest');
    oneLine(vm(['--root', dir, ...tools, '--kernel', kernel, '--', 'true']), 'no modules for kernel 6.1.0-0-vmtest (/lib/modules/6.1.0-0-vmtest/modules.dep is missing): pass --modules DIR');
    oneLine(vm(['--root', dir, ...tools, '--kernel', kernel, '--modules', work, '--', 'true']), `--modules ${work}: no modules.dep there (a lib/modules/RELEASE tree after depmod)`);
    const other = join(work, 'lib/modules/6.1.0-1-other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'modules.dep'), '');
    oneLine(vm(['--root', dir, ...tools, '--kernel', kernel, '--modules', other, '--', 'true']), `--modules ${other} is a module tree for 6.1.0-1-other, but the kernel ${kernel} is 6.1.0-0-vmtest: pass the lib/modules/6.1.0-0-vmtest tree`);
    oneLine(vm(['--root', dir, '--virtiofsd', join(work, 'virtiofsd'), '--', 'true']), `--virtiofsd ${join(work, 'virtiofsd')}: not an executable file`);
    oneLine(vm(['--root', dir, '--qemu', join(work, 'qemu'), '--', 'true']), `--qemu ${join(work, 'qemu')}: not an executable file`);
    // Nothing on PATH: QEMU is looked for first.
    oneLine(vm(['--root', dir, '--', 'true'], { PATH: join(work, 'empty') }), 'no qemu-system-x86_64: install the qemu-system-x86 package or pass --qemu PATH');
    if (!existsSync('/usr/libexec/virtiofsd')) {
      oneLine(
        vm(['--root', dir, '--qemu', '/usr/bin/qemu-system-x86_64', '--', 'true'], { PATH: join(work, 'empty') }),
        'no virtiofsd: install the virtiofsd package (Debian 13, or the Rust virtiofsd of your distribution) or pass --virtiofsd PATH',
      );
    }
  });

  it('refuses an invalid --config with its diagnostics (exit 1) and an unreadable one (exit 2)', () => {
    const config = join(work, 'bad.yaml');
    writeFileSync(config, 'postSwitch:\n  handof: {mode: shell}\n');
    const invalid = vm(['--config', config]);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('unknown-key');
    expect(vm(['--config', join(work, 'missing.yaml')]).status).toBe(2);
  });
});
