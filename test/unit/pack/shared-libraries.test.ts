// Library resolution over fake trees (search order, symlinks, tokens, ld.so.conf) and for the real Node binary against ldd.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type LibraryFileSystem,
  SharedLibraryError,
  hostFileSystem,
  ldSoConfDirectories,
  resolveSharedLibraries,
} from '../../../src/pack/shared-libraries';
import { buildElf, type ElfSpec } from '../elf/elf-builder';

type Node = { file: Uint8Array } | { symlink: string };

// A tree of files and symlinks in memory; directories exist implicitly as the parents of entries.
function fakeTree(entries: Record<string, ElfSpec | string | { symlink: string }>): LibraryFileSystem {
  const nodes = new Map<string, Node>();
  for (const [path, value] of Object.entries(entries)) {
    if (typeof value === 'string') nodes.set(path, { file: Buffer.from(value) });
    else if ('symlink' in value) nodes.set(path, { symlink: value.symlink });
    else nodes.set(path, { file: buildElf(value) });
  }
  const resolve = (path: string, depth = 0): string | undefined => {
    if (depth > 40) return undefined;
    let resolved = '/';
    for (const part of path.split('/').filter(Boolean)) {
      const next = posix.join(resolved, part);
      const node = nodes.get(next);
      if (node && 'symlink' in node) {
        const target = resolve(posix.resolve(resolved, node.symlink), depth + 1);
        if (target === undefined) return undefined;
        resolved = target;
      } else resolved = next;
    }
    const exists = nodes.has(resolved) || [...nodes.keys()].some((key) => key.startsWith(`${resolved}/`));
    return exists ? resolved : undefined;
  };
  return {
    readFile(path) {
      const real = resolve(path);
      const node = real === undefined ? undefined : nodes.get(real);
      return node && 'file' in node ? node.file : undefined;
    },
    readDir(path) {
      const real = resolve(path);
      if (real === undefined) return [];
      const prefix = real === '/' ? '/' : `${real}/`;
      return [...new Set([...nodes.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length).split('/')[0]!))];
    },
    realPath: (path) => resolve(path),
  };
}

const interp = '/lib64/ld-linux-x86-64.so.2';
const base = {
  '/lib64/ld-linux-x86-64.so.2': { symlink: '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
  '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': { soname: 'ld-linux-x86-64.so.2' },
  // Real libc names the interpreter as DT_NEEDED; it must not appear twice.
  '/lib/x86_64-linux-gnu/libc.so.6': { soname: 'libc.so.6', needed: ['ld-linux-x86-64.so.2'], interpreter: interp },
};
const summary = (fs: LibraryFileSystem, executable: string): string[][] =>
  resolveSharedLibraries(executable, fs).libraries.map((lib) => [lib.name, lib.path, lib.realPath, lib.imagePath, lib.source, lib.neededBy]);

describe('resolveSharedLibraries on fake trees', () => {
  it('finds the closure breadth-first, keeps the loader name, and resolves symlinks', () => {
    const fs = fakeTree({
      ...base,
      '/app/prog': { interpreter: interp, needed: ['libfoo.so.1', 'libc.so.6'] },
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1': { symlink: 'libfoo.so.1.2.3' },
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3': { soname: 'libfoo.so.1', needed: ['libbar.so.2', 'libc.so.6'] },
      '/lib/libbar.so.2': { needed: ['libc.so.6'] },
    });
    const closure = resolveSharedLibraries('/app/prog', fs);
    expect(closure.interpreter).toEqual({ path: interp, realPath: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' });
    expect(summary(fs, '/app/prog')).toEqual([
      ['libfoo.so.1', '/usr/lib/x86_64-linux-gnu/libfoo.so.1', '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3', '/usr/lib/x86_64-linux-gnu/libfoo.so.1', 'default', '/app/prog'],
      ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', 'default', '/app/prog'],
      ['libbar.so.2', '/lib/libbar.so.2', '/lib/libbar.so.2', '/lib/libbar.so.2', 'default', '/usr/lib/x86_64-linux-gnu/libfoo.so.1'],
    ]);
  });

  it('searches RUNPATH before ld.so.conf and the built-in directories, and expands $ORIGIN', () => {
    const fs = fakeTree({
      ...base,
      '/etc/ld.so.conf': '/usr/local/lib\n',
      '/app/bin/prog': { interpreter: interp, needed: ['libfoo.so.1', 'libzed.so'], runpath: '$ORIGIN/../lib:/opt/z' },
      '/app/lib/libfoo.so.1': { needed: ['libc.so.6'] },
      '/usr/local/lib/libfoo.so.1': {},
      '/lib/x86_64-linux-gnu/libfoo.so.1': {},
      '/opt/z/libzed.so': {},
    });
    expect(summary(fs, '/app/bin/prog').map(([name, path, , imagePath, source]) => [name, path, imagePath, source])).toEqual([
      // Outside the built-in directories, an initramfs copy goes where ld.so looks without a cache.
      ['libfoo.so.1', '/app/lib/libfoo.so.1', '/lib/x86_64-linux-gnu/libfoo.so.1', 'runpath'],
      ['libzed.so', '/opt/z/libzed.so', '/lib/x86_64-linux-gnu/libzed.so', 'runpath'],
      ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', 'default'],
    ]);
  });

  it('does not let a library use its loader\'s RUNPATH', () => {
    const fs = fakeTree({
      ...base,
      '/app/prog': { needed: ['libfoo.so.1'], runpath: '/opt/app' },
      '/opt/app/libfoo.so.1': { needed: ['libonly-here.so'] },
      '/opt/app/libonly-here.so': {},
    });
    expect(() => resolveSharedLibraries('/app/prog', fs)).toThrow(
      new SharedLibraryError('libonly-here.so (needed by /opt/app/libfoo.so.1) not found in /lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib64, /lib, /usr/lib'),
    );
  });

  it('lets DT_RPATH reach indirect dependencies, unless the object has DT_RUNPATH', () => {
    const fs = fakeTree({
      ...base,
      '/app/prog': { needed: ['libfoo.so.1'], rpath: '/opt/r' },
      '/opt/r/libfoo.so.1': { needed: ['libdeep.so'] },
      '/opt/r/libdeep.so': {},
      '/app/prog2': { needed: ['libfoo.so.1'], rpath: '/opt/r', runpath: '/opt/elsewhere' },
    });
    expect(summary(fs, '/app/prog').map(([name, path, , , source]) => [name, path, source])).toEqual([
      ['libfoo.so.1', '/opt/r/libfoo.so.1', 'rpath'],
      ['libdeep.so', '/opt/r/libdeep.so', 'rpath'],
    ]);
    expect(() => resolveSharedLibraries('/app/prog2', fs)).toThrow(/libfoo\.so\.1 \(needed by \/app\/prog2\) not found in \/opt\/elsewhere, /);
  });

  it('skips files of another machine and non-ELF files, as ld.so does', () => {
    const fs = fakeTree({
      ...base,
      '/app/prog': { needed: ['libq.so', 'libscript.so'] },
      '/lib/x86_64-linux-gnu/libq.so': { machine: 183 },
      '/usr/lib/x86_64-linux-gnu/libq.so': {},
      '/lib/x86_64-linux-gnu/libscript.so': '/* GNU ld script */\nGROUP ( libscript.so.1 )\n',
      '/usr/lib/libscript.so': {},
    });
    expect(summary(fs, '/app/prog').map(([name, path]) => [name, path])).toEqual([
      ['libq.so', '/usr/lib/x86_64-linux-gnu/libq.so'],
      ['libscript.so', '/usr/lib/libscript.so'],
    ]);
  });

  it('names a missing executable or interpreter, and a non-ELF executable', () => {
    const fs = fakeTree({ ...base, '/app/script': '#!/bin/sh\n', '/app/prog': { interpreter: '/lib/ld-musl-x86_64.so.1' } });
    expect(() => resolveSharedLibraries('/app/none', fs)).toThrow('/app/none: no such file');
    expect(() => resolveSharedLibraries('/app/script', fs)).toThrow('/app/script: not an ELF file (bad magic)');
    expect(() => resolveSharedLibraries('/app/prog', fs)).toThrow('/app/prog: its interpreter /lib/ld-musl-x86_64.so.1 does not exist');
  });
});

describe('ldSoConfDirectories', () => {
  it('follows include globs in sorted order, skips comments and repeats', () => {
    const fs = fakeTree({
      '/etc/ld.so.conf': '# comment\ninclude /etc/ld.so.conf.d/*.conf\n/opt/last/ # trailing\n',
      '/etc/ld.so.conf.d/x86_64-linux-gnu.conf': '# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n',
      '/etc/ld.so.conf.d/libc.conf': '/usr/local/lib\n',
      '/etc/ld.so.conf.d/zz.conf': 'include sub/*.conf\n/lib/x86_64-linux-gnu\n',
      '/etc/ld.so.conf.d/sub/a.conf': '/opt/a,/opt/b:/opt/c\n',
      '/etc/ld.so.conf.d/readme.txt': '/not/me\n',
    });
    expect(ldSoConfDirectories(fs)).toEqual([
      '/usr/local/lib',
      '/usr/local/lib/x86_64-linux-gnu',
      '/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu',
      '/opt/a',
      '/opt/b',
      '/opt/c',
      '/opt/last',
    ]);
    expect(ldSoConfDirectories(fakeTree({}))).toEqual([]);
  });
});

describe('resolveSharedLibraries on this machine', () => {
  it('finds for the Node binary what ldd finds', () => {
    const node = 'node_modules/.bin/node';
    const closure = resolveSharedLibraries(node, hostFileSystem);
    const ldd = execFileSync('ldd', [node], { encoding: 'utf8' });
    const expected = new Map<string, string>();
    let lddInterpreter: string | undefined;
    for (const line of ldd.trim().split('\n')) {
      const arrow = /^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)$/.exec(line);
      const bare = /^\s*(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
      if (arrow) expected.set(arrow[1]!, arrow[2]!);
      else if (bare) lddInterpreter = bare[1];
    }
    expect(new Map(closure.libraries.map((lib) => [lib.name, lib.path]))).toEqual(expected);
    expect(closure.interpreter?.path).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(closure.interpreter?.path).toBe(lddInterpreter);
    expect(closure.interpreter?.realPath).toBe(realpathSync('/lib64/ld-linux-x86-64.so.2'));
    const names = closure.libraries.map((lib) => lib.name);
    for (const name of ['libc.so.6', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1']) expect(names).toContain(name);
    for (const lib of closure.libraries) expect(lib.realPath).toBe(realpathSync(lib.path));
  });
});
