// chooseAccel: KVM only when /dev/kvm answers and a probe guest runs to its end on it; a fake QEMU stands in for the probe.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseAccel, probeArgs, probeFirmware, type AccelContext } from '../../src/vm/accel';
import { processOwner } from '../../src/vm/owned-processes';

const work = mkdtempSync(join(tmpdir(), 'bootstrap-vm-accel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const owner = processOwner('/usr/bin/setpriv');

function fakeQemu(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

let runs = 0;
function context(qemu: string, overrides: Partial<AccelContext> = {}): AccelContext {
  runs += 1;
  return { qemu, owner, workDir: work, cacheDir: join(work, `cache-${runs}`), kvmApiVersion: () => 12, bootId: () => 'boot-1', timeoutMs: 1500, ...overrides };
}

describe('chooseAccel', () => {
  it('takes kvm and tcg as asked, without a probe', async () => {
    const never = fakeQemu('never', 'exit 99');
    expect(await chooseAccel('tcg', context(never))).toEqual({ accel: 'tcg' });
    expect(await chooseAccel('kvm', context(never))).toEqual({ accel: 'kvm' });
  });

  it('uses KVM when the probe guest exits through the debug port (QEMU status 1)', async () => {
    const ok = fakeQemu('ok', 'exit 1');
    expect(await chooseAccel('auto', context(ok))).toEqual({ accel: 'kvm' });
  });

  it('falls back to TCG, saying why, when /dev/kvm cannot be used', async () => {
    const decision = await chooseAccel('auto', context(fakeQemu('unused', 'exit 1'), { kvmApiVersion: () => { throw new Error('open(path="/dev/kvm"): EACCES'); } }));
    expect(decision.accel).toBe('tcg');
    expect(decision.fallback).toContain('KVM is not usable here (open(path="/dev/kvm"): EACCES); using TCG');
  });

  it('falls back when QEMU dies on KVM, with its last words, and keeps that verdict for this boot', async () => {
    const marker = join(work, 'aborted-runs');
    const aborts = fakeQemu('aborts', `echo run >> ${marker}\necho "kvm_buf_set_msrs: Assertion failed." >&2\nkill -ABRT $$`);
    const shared = context(aborts);
    const first = await chooseAccel('auto', shared);
    expect(first.accel).toBe('tcg');
    expect(first.fallback).toContain('ended with signal SIGABRT: kvm_buf_set_msrs: Assertion failed.');
    expect(await chooseAccel('auto', shared)).toEqual(first);
    expect(readFileSync(marker, 'utf8')).toBe('run\n');
    // Another boot of the host probes again.
    await chooseAccel('auto', { ...shared, bootId: () => 'boot-2' });
    expect(readFileSync(marker, 'utf8')).toBe('run\nrun\n');
  });

  it('falls back when the probe guest hangs, and leaves no probe running', async () => {
    const hangs = fakeQemu('hangs', 'exec sleep 60');
    const started = performance.now();
    const decision = await chooseAccel('auto', context(hangs, { timeoutMs: 500 }));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(decision.fallback).toContain('did not finish within 500ms');
    expect(owner.running()).toEqual([]);
  });
});

describe('probeFirmware', () => {
  it('is 64 KiB with the debug-exit write at the reset vector, and the probe asks for that port', () => {
    const image = probeFirmware();
    expect(image.length).toBe(65536);
    expect([...image.subarray(0xfff0, 0xfff4)]).toEqual([0xb0, 0x00, 0xe6, 0xf4]);
    expect(probeArgs('/x/fw.bin')).toEqual(expect.arrayContaining(['-accel', 'kvm', '-cpu', 'host', '-bios', '/x/fw.bin', 'isa-debug-exit,iobase=0xf4,iosize=0x04']));
  });
});
