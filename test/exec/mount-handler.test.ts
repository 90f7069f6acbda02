// The mount handler against a fake Sys: waiting for a virtio tag, and giving up with the tag named.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { mountFileSystem } from '../../src/exec/handlers/mount';
import { SysError, type MountSpec, type Sys } from '../../src/sys/index';
import type { StepOf } from '../../src/plan/step';

const log = createLogger({ write: () => true }, 'error');

function fakeSys(failures: number, errno = 22): { sys: Sys; calls: MountSpec[] } {
  const calls: MountSpec[] = [];
  const sys = {
    mount(spec: MountSpec) {
      calls.push(spec);
      if (calls.length <= failures) throw new SysError({ syscall: 'mount', errno, args: { source: spec.source } });
    },
  } as unknown as Sys;
  return { sys, calls };
}

const target = join(mkdtempSync(join(tmpdir(), 'mount-handler-')), 'root');
const step = (timeoutMs: number): StepOf<'mount'> => ({
  kind: 'mount',
  phase: 'switchRoot',
  source: '/switchRoot/rootFileSystem',
  policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 },
  fsType: 'virtiofs',
  device: 'rootfs',
  target,
  flags: ['MS_RDONLY', 'MS_NOATIME'],
  options: '',
  wait: { kind: 'tag', fsType: 'virtiofs', tag: 'rootfs', timeoutMs },
  idMap: undefined,
});

describe('mount with a virtio tag', () => {
  it('retries while the tag is not registered (EINVAL), then mounts with the flags', async () => {
    const { sys, calls } = fakeSys(3);
    await mountFileSystem(step(5000), { sys, log, env: {} });
    expect(calls).toHaveLength(4);
    expect(calls.at(-1)).toEqual({ source: 'rootfs', target, fsType: 'virtiofs', flags: 0x1 | 0x400, data: null });
  });

  it('gives up after the timeout with a message naming the tag', async () => {
    const { sys } = fakeSys(Infinity, 2);
    await expect(mountFileSystem(step(50), { sys, log, env: {} })).rejects.toThrow(/virtiofs tag "rootfs" did not appear within 50ms/);
  });

  it('does not wait on an error that waiting cannot fix', async () => {
    const { sys, calls } = fakeSys(Infinity, 1);
    await expect(mountFileSystem(step(5000), { sys, log, env: {} })).rejects.toThrow(/EPERM/);
    expect(calls).toHaveLength(1);
  });
});

describe('bind mount flags', () => {
  const bind = (flags: StepOf<'mount'>['flags']): StepOf<'mount'> => ({ ...step(0), fsType: 'none', device: '/srv', flags: ['MS_BIND', ...flags], wait: undefined });

  it('binds first, then remounts with MS_REMOUNT | MS_BIND and the per-mount flags, warning about filesystem flags', async () => {
    const { sys, calls } = fakeSys(0);
    const lines: string[] = [];
    await mountFileSystem(bind(['MS_RDONLY', 'MS_NOEXEC', 'MS_SYNCHRONOUS']), { sys, log: createLogger({ write: (line) => (lines.push(line), true) }, 'warn'), env: {} });
    expect(calls).toEqual([
      { source: '/srv', target, fsType: 'none', flags: 0x1000, data: null },
      { source: null, target, fsType: null, flags: 0x20 | 0x1000 | 0x1 | 0x8, data: null },
    ]);
    expect(lines.join('')).toMatch(/MS_SYNCHRONOUS belong to the filesystem of \/srv/);
  });

  it('a plain bind is one call', async () => {
    const { sys, calls } = fakeSys(0);
    await mountFileSystem(bind([]), { sys, log, env: {} });
    expect(calls).toHaveLength(1);
  });
});

describe('mount of an NFS export', () => {
  const nfs = (versions: string[]): StepOf<'mount'> => ({
    ...step(1000),
    fsType: 'nfs4',
    device: '10.0.2.2:/srv/root',
    flags: [],
    options: `vers=${versions[0] ?? '4'},proto=tcp,port=2049,addr=10.0.2.2,timeo=50`,
    wait: { kind: 'server', server: '10.0.2.2', export: '/srv/root', ports: [2049], versions, timeoutMs: 1000 },
  });
  const answering = (sys: Sys): Sys => Object.assign(sys, { tryTcpConnect: () => Promise.resolve({ connected: true }) });

  it('tries the next minor version while the server has not this one (EPROTONOSUPPORT), keeping the other options', async () => {
    const { sys, calls } = fakeSys(2, 93);
    await mountFileSystem(nfs(['4.2', '4.1', '4.0']), { sys: answering(sys), log, env: {} });
    expect(calls.map((call) => call.data)).toEqual(['vers=4.2,proto=tcp,port=2049,addr=10.0.2.2,timeo=50', 'vers=4.1,proto=tcp,port=2049,addr=10.0.2.2,timeo=50', 'vers=4.0,proto=tcp,port=2049,addr=10.0.2.2,timeo=50']);
  });

  it('fails on any other errno, or with no version left, naming server and export', async () => {
    const refused = fakeSys(Infinity, 13);
    await expect(mountFileSystem(nfs(['4.2', '4.1', '4.0']), { sys: answering(refused.sys), log, env: {} })).rejects.toThrow(/EACCES .*NFS server 10\.0\.2\.2 refused or failed export \/srv\/root/);
    expect(refused.calls).toHaveLength(1);
    const old = fakeSys(Infinity, 93);
    await expect(mountFileSystem(nfs(['4.1']), { sys: answering(old.sys), log, env: {} })).rejects.toThrow(/EPROTONOSUPPORT/);
    expect(old.calls).toHaveLength(1);
  });
});
