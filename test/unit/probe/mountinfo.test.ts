// mountinfo parsing on real text, with escapes.
import { describe, expect, it } from 'vitest';
import { mountedAt, mountsBelow, parseMountInfo } from '../../../src/probe/mountinfo';

const text = `22 1 0:21 / / rw,relatime - rootfs rootfs rw
23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
24 22 0:5 / /dev rw,nosuid,relatime shared:3 - devtmpfs devtmpfs rw,size=4096k,nr_inodes=1,mode=755
30 22 0:30 / /sysroot rw,relatime - virtiofs rootfs rw
31 30 0:31 / /sysroot/my\\040dir ro,relatime - tmpfs tmpfs ro
32 22 0:32 / /proc rw - proc proc rw
`;

describe('mountinfo', () => {
  const entries = parseMountInfo(text);

  it('reads every field, unescaping octal escapes', () => {
    expect(entries).toHaveLength(6);
    expect(entries[4]).toEqual({ mountId: 31, parentId: 30, device: '0:31', root: '/', mountPoint: '/sysroot/my dir', options: 'ro,relatime', fsType: 'tmpfs', source: 'tmpfs', superOptions: 'ro' });
    expect(entries[1]).toMatchObject({ fsType: 'proc', mountPoint: '/proc' });
  });

  it('finds the last mount at a point and the mounts below a prefix, deepest first', () => {
    expect(mountedAt(entries, '/proc')?.mountId).toBe(32);
    expect(mountedAt(entries, '/nowhere')).toBeUndefined();
    expect(mountsBelow(entries, '/sysroot')).toEqual(['/sysroot/my dir']);
    expect(mountsBelow(entries, '/')).toEqual(['/sysroot/my dir', '/sysroot', '/proc', '/dev']);
  });

  it('skips malformed lines', () => {
    expect(parseMountInfo('garbage\n\n1 2 3\n')).toEqual([]);
  });
});
