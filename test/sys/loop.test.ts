// attachLoop and detachLoop against the real loop driver: an ext4 image mounted and read through a device that
// frees itself, read-only devices, and files no loop device can take.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorReport } from './fixtures/report';
import { fixtureResult, runFixture } from './run-fixture';

interface Refusal {
  error: ErrorReport | null;
  ms: number;
}

interface Result {
  device: string;
  whileAttached: { backingFile: string | null; autoclear: string | null; readOnly: string | null };
  afterClose: string | null;
  content: string;
  freedMs: number | null;
  roDevice: { device: string; readOnly: string | null; autoclear: string | null };
  writeToDevice: ErrorReport | null;
  readWriteMount: ErrorReport | null;
  roContent: string;
  roFreedMs: number | null;
  refused: Record<'missing' | 'fifo' | 'fifoReadOnly' | 'zero', Refusal>;
  plain: { device: string; before: string | null; freedMs: number | null; detachNotLoop: ErrorReport | null };
}

describe('loop devices', () => {
  let result: Result;
  beforeAll(() => {
    result = fixtureResult<Result>(runFixture('loop'));
  });

  it('attaches a file to a free /dev/loopN with autoclear, writable unless asked otherwise', () => {
    expect(result.device).toMatch(/^\/dev\/loop\d+$/);
    expect(result.whileAttached).toEqual({ backingFile: '/tmp/image.ext4', autoclear: '1', readOnly: '0' });
  });

  it('an ext4 image mounts and reads through it, and the device frees itself once the mount is gone', () => {
    // Still attached after its descriptor closed: the mount holds it.
    expect(result.afterClose).toBe('/tmp/image.ext4');
    expect(result.content).toBe('hello from ext4\n');
    expect(result.freedMs).not.toBeNull();
  });

  it('a read-only attach refuses writes to the device and a read-write mount; a read-only mount reads', () => {
    expect(result.roDevice.readOnly).toBe('1');
    expect(result.roDevice.autoclear).toBe('1');
    expect(result.writeToDevice?.message).toMatch(/EPERM|EROFS|EACCES/);
    expect(result.readWriteMount).toMatchObject({ syscall: 'mount', code: 'EACCES' });
    // What the read-write mount wrote before.
    expect(result.roContent).toBe('x');
    expect(result.roFreedMs).not.toBeNull();
  });

  it('a file that is not there is a SysError from open naming the file', () => {
    expect(result.refused.missing.error).toMatchObject({ name: 'SysError', syscall: 'open', code: 'ENOENT' });
    expect(result.refused.missing.error?.message).toContain('/tmp/not-there.img');
  });

  it.each(['fifo', 'fifoReadOnly', 'zero'] as const)('%s is refused at once with EINVAL and why, never waited on', (kind) => {
    const refusal = result.refused[kind];
    expect(refusal.error).toMatchObject({ name: 'SysError', syscall: 'ioctl', code: 'EINVAL' });
    expect(refusal.error?.message).toContain(kind === 'zero' ? '/dev/zero' : '/tmp/fifo');
    expect(refusal.error?.message).toMatch(kind === 'zero' ? /it is a character device/ : /it is a FIFO/);
    expect(refusal.ms).toBeLessThan(1000);
  });

  it('detachLoop frees a device attached without autoclear; a device that is no loop device is ENOTTY', () => {
    expect(result.plain.before).toBe('/tmp/image.ext4');
    expect(result.plain.freedMs).not.toBeNull();
    expect(result.plain.detachNotLoop).toMatchObject({ syscall: 'ioctl', code: 'ENOTTY' });
    expect(result.plain.detachNotLoop?.message).toContain('LOOP_CLR_FD');
  });
});
