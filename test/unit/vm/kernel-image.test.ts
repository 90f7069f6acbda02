// kernelRelease: the release string of a bzImage's setup header.
import { describe, expect, it } from 'vitest';
import { kernelRelease } from '../../../src/vm/kernel-image';

// A setup header as the boot protocol lays it out: "HdrS" at 0x202, the version pointer (minus 0x200) at 0x20e.
function image(version: string, pointer = 0x3c0): Uint8Array {
  const bytes = Buffer.alloc(0x1000);
  bytes.write('HdrS', 0x202, 'latin1');
  bytes.writeUInt16LE(pointer, 0x20e);
  bytes.write(`${version}\0`, pointer + 0x200, 'latin1');
  return bytes;
}

describe('kernelRelease', () => {
  it('reads the first word of the version string', () => {
    expect(kernelRelease(image('6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1'))).toBe('6.1.0-57-amd64');
  });

  it('refuses what is not a bzImage: no magic, no pointer, a pointer past the end, no terminator', () => {
    const noMagic = image('6.1.0');
    noMagic.set([0, 0, 0, 0], 0x202);
    expect(kernelRelease(noMagic)).toBeUndefined();
    expect(kernelRelease(image('6.1.0', 0))).toBeUndefined();
    expect(kernelRelease(image('6.1.0').subarray(0, 0x300))).toBeUndefined();
    expect(kernelRelease(Buffer.from('#!/bin/sh\necho not a kernel\n'))).toBeUndefined();
  });
});
