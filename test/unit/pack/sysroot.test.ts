// Library resolution in a sysroot laid out as Debian 12's arm64 packages unpack (no merged /usr, an absolute
// symlink that must stay inside), and in the cached real one when scripts/setup/arm64.sh has run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PackError, initramfsContents } from '../../../src/pack/initramfs';
import { resolveSharedLibraries } from '../../../src/pack/shared-libraries';
import { sysrootFileSystem } from '../../../src/pack/sysroot';
import { buildElf, type ElfSpec } from '../elf/elf-builder';

const EM_AARCH64 = 183;
const interp = '/lib/ld-linux-aarch64.so.1';
const scratch = mkdtempSync(join(tmpdir(), 'bootstrap-sysroot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function put(root: string, path: string, value: ElfSpec | { symlink: string }): void {
  const at = join(root, path);
  mkdirSync(dirname(at), { recursive: true });
  if ('symlink' in value) symlinkSync(value.symlink, at);
  else writeFileSync(at, buildElf({ machine: EM_AARCH64, ...value }));
}

describe('sysrootFileSystem', () => {
  const root = join(scratch, 'arm64');
  put(root, '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1', { soname: 'ld-linux-aarch64.so.1' });
  put(root, interp, { symlink: 'aarch64-linux-gnu/ld-linux-aarch64.so.1' });
  put(root, '/lib/aarch64-linux-gnu/libc.so.6', { soname: 'libc.so.6', needed: ['ld-linux-aarch64.so.1'], interpreter: interp });
  put(root, '/lib/aarch64-linux-gnu/libm.so.6', { soname: 'libm.so.6', needed: ['libc.so.6'] });
  // An absolute link means the sysroot's /usr, not the host's.
  put(root, '/usr/lib/aarch64-linux-gnu/libstdc++.so.6', { symlink: '/usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30' });
  put(root, '/usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30', { soname: 'libstdc++.so.6', needed: ['libm.so.6', 'libc.so.6'] });
  const program = join(scratch, 'program');
  writeFileSync(program, buildElf({ machine: EM_AARCH64, interpreter: interp, needed: ['libstdc++.so.6', 'libc.so.6'] }));
  const fs = sysrootFileSystem(root);

  it('resolves links from the sysroot top and answers in the target\'s paths', () => {
    expect(fs.realPath(interp)).toBe('/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1');
    expect(fs.realPath('/usr/lib/aarch64-linux-gnu/libstdc++.so.6')).toBe('/usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30');
    expect(fs.realPath('/usr/lib/aarch64-linux-gnu/missing.so')).toBeUndefined();
    expect(fs.readDir('/lib/aarch64-linux-gnu').sort()).toEqual(['ld-linux-aarch64.so.1', 'libc.so.6', 'libm.so.6']);
    expect(fs.readFile('/lib/aarch64-linux-gnu')).toBeUndefined();
  });

  it('finds an arm64 executable\'s closure in Debian\'s arm64 directories', () => {
    const files = { ...fs, readFile: (path: string) => (path === program ? readFileSync(program) : fs.readFile(path)), realPath: (path: string) => (path === program ? program : fs.realPath(path)) };
    const closure = resolveSharedLibraries(program, files);
    expect(closure.interpreter).toEqual({ path: interp, realPath: '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1' });
    expect(closure.libraries.map((library) => [library.name, library.imagePath, library.realPath])).toEqual([
      ['libstdc++.so.6', '/usr/lib/aarch64-linux-gnu/libstdc++.so.6', '/usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30'],
      ['libc.so.6', '/lib/aarch64-linux-gnu/libc.so.6', '/lib/aarch64-linux-gnu/libc.so.6'],
      ['libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6'],
    ]);
  });

  it('lets pack put the loader and libraries at the target\'s paths, read from the sysroot', () => {
    const contents = initramfsContents({ binary: program, configText: 'x: 1\n', compress: 'none', sysroot: root });
    expect(contents.libraries).toEqual([
      interp,
      '/usr/lib/aarch64-linux-gnu/libstdc++.so.6',
      '/lib/aarch64-linux-gnu/libc.so.6',
      '/lib/aarch64-linux-gnu/libm.so.6',
    ]);
    expect(contents.sources).toContain(join(root, '/usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30'));
  });

  it('says to give --sysroot when the binary\'s loader is not on this machine', () => {
    expect(() => initramfsContents({ binary: program, configText: 'x: 1\n', compress: 'none' })).toThrow(PackError);
    expect(() => initramfsContents({ binary: program, configText: 'x: 1\n', compress: 'none' })).toThrow(/interpreter \/lib\/ld-linux-aarch64.so.1 does not exist \(a binary built for another architecture needs --sysroot DIR/);
  });
});

// The cached sysroot and executable (scripts/setup/arm64.sh, tsx scripts/build.ts --arch arm64), when present.
const envFile = join(import.meta.dirname, '../../../.cache/arm64/env');
const arm64Binary = join(import.meta.dirname, '../../../dist/bootstrap-arm64');
const cached = existsSync(envFile) && existsSync(arm64Binary);

describe.skipIf(!cached)('the cached arm64 sysroot', () => {
  it('holds everything dist/bootstrap-arm64 needs', () => {
    const sysroot = /^ARM64_SYSROOT=(.*)$/m.exec(readFileSync(envFile, 'utf8'))?.[1] ?? '';
    const fs = sysrootFileSystem(sysroot);
    const files = { ...fs, readFile: (path: string) => (path === arm64Binary ? readFileSync(arm64Binary) : fs.readFile(path)), realPath: (path: string) => (path === arm64Binary ? arm64Binary : fs.realPath(path)) };
    const closure = resolveSharedLibraries(arm64Binary, files);
    expect(closure.interpreter?.path).toBe(interp);
    expect(closure.libraries.map((library) => library.name).sort()).toEqual(['libc.so.6', 'libdl.so.2', 'libgcc_s.so.1', 'libm.so.6', 'libpthread.so.0', 'libstdc++.so.6']);
  });
});
