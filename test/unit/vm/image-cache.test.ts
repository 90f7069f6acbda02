// The base image cache (its directory, its key, pruning) and the per-run initrd (the base with the run's config appended).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNewc } from '../../../src/pack/newc';
import { baseImageKey, pruneCache, vmCacheDir } from '../../../src/vm/image-cache';
import { writeRunInitrd } from '../../../src/vm/run-initrd';

const work = mkdtempSync(join(tmpdir(), 'bootstrap-vm-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('vmCacheDir', () => {
  it('is under XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    expect(vmCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, () => '/home/me')).toBe('/var/cache/me/bootstrap/vm');
    expect(vmCacheDir({}, () => '/home/me')).toBe('/home/me/.cache/bootstrap/vm');
    // The XDG spec: a relative value is invalid and ignored.
    expect(vmCacheDir({ XDG_CACHE_HOME: 'relative' }, () => '/home/me')).toBe('/home/me/.cache/bootstrap/vm');
  });
});

describe('baseImageKey', () => {
  const binary = join(work, 'bootstrap');
  const tree = join(work, 'lib/modules/6.1.0-1-amd64');
  mkdirSync(tree, { recursive: true });
  writeFileSync(binary, 'one build');
  writeFileSync(join(tree, 'modules.dep'), 'kernel/fs/overlayfs/overlay.ko:\n');

  it('changes with the executable, the module tree and the module names, and nothing else', () => {
    const spec = { binary, modulesDir: tree, modules: ['virtiofs', 'overlay'] };
    const key = baseImageKey(spec);
    expect(baseImageKey({ ...spec, modules: ['overlay', 'virtiofs'] })).toBe(key);
    expect(baseImageKey({ ...spec, modules: ['virtiofs'] })).not.toBe(key);
    writeFileSync(join(tree, 'modules.dep'), 'kernel/fs/overlayfs/overlay.ko:\nkernel/fs/fuse/fuse.ko:\n');
    const afterDepmod = baseImageKey(spec);
    expect(afterDepmod).not.toBe(key);
    writeFileSync(binary, 'another build');
    expect(baseImageKey(spec)).not.toBe(afterDepmod);
  });
});

describe('pruneCache', () => {
  it('keeps the most recently used images and nothing else is touched', () => {
    const dir = join(work, 'cache');
    mkdirSync(dir);
    for (const [index, name] of ['base-aa.cpio', 'base-bb.cpio', 'base-cc.cpio', 'base-dd.cpio'].entries()) {
      writeFileSync(join(dir, name), name);
      utimesSync(join(dir, name), 1000 + index, 1000 + index);
    }
    writeFileSync(join(dir, 'kvm-probe.json'), '{}');
    pruneCache(dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['base-cc.cpio', 'base-dd.cpio', 'kvm-probe.json']);
  });
});

describe('writeRunInitrd', () => {
  it('appends an archive with the config at the default path after the base, on a 4-byte boundary', () => {
    const base = join(work, 'base.cpio');
    const baseBytes = writeNewc([{ kind: 'file', path: 'etc/bootstrap/bootstrap.yaml', mode: 0o644, data: Buffer.from('placeholder\n') }]);
    writeFileSync(base, baseBytes);
    const output = join(work, 'initrd.img');
    writeRunInitrd(base, 'postSwitch: {handoff: {mode: shell}}\n', output);
    const image = readFileSync(output);
    expect(image.subarray(0, baseBytes.length).equals(baseBytes)).toBe(true);
    expect(baseBytes.length % 4).toBe(0);
    const appended = image.subarray(baseBytes.length);
    expect(execFileSync('cpio', ['-i', '--quiet', '--to-stdout', 'etc/bootstrap/bootstrap.yaml'], { input: appended, encoding: 'utf8' })).toBe('postSwitch: {handoff: {mode: shell}}\n');
  });
});
