// Idmapped binds (lcboot's mount-idmapped) planned from a config and made by the mount handler on the real kernel.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorReport } from './fixtures/report';
import { fixtureResult, runFixture } from './run-fixture';

type Owner = [number, number];

interface Result {
  mounted: Record<string, ErrorReport | null>;
  through: Record<'rootFile' | 'fiveSeven' | 'unmapped' | 'directory', Owner>;
  inSource: Record<'rootFile' | 'byMappedRoot', Owner>;
  byMappedRootThrough: Owner;
  byRoot: ErrorReport | null;
  below: string[];
  options: Record<'mapped' | 'readOnly', string[]>;
  readOnlyWrite: ErrorReport | null;
  refusedMounted: boolean;
  fdsBefore: number;
  fdsAfter: number;
  fdsAtEnd: number;
  overlapping: ErrorReport | null;
  empty: ErrorReport | null;
  children: string;
}

describe('idmapped bind mounts', () => {
  let result: Result;
  beforeAll(() => {
    result = fixtureResult<Result>(runFixture('idmapped-bind'));
  });

  it('shows a file the source stores as 0 as 1000000, 5:7 as 1000005:1000007, and ids outside the map as 65534', () => {
    expect(result.mounted['/tmp/mapped']).toBeNull();
    expect(result.through).toEqual({ rootFile: [1000000, 1000000], fiveSeven: [1000005, 1000007], unmapped: [65534, 65534], directory: [1000000, 1000000] });
    expect(result.inSource.rootFile).toEqual([0, 0]);
    expect(result.options.mapped).toContain('idmapped');
  });

  it('stores a file created through it by uid 1000000 as uid 0; root, which the map does not cover, gets EOVERFLOW', () => {
    expect(result.inSource.byMappedRoot).toEqual([0, 0]);
    expect(result.byMappedRootThrough).toEqual([1000000, 1000000]);
    expect(result.byRoot?.message).toMatch(/^EOVERFLOW/);
  });

  it('binds only the source mount, not the mounts below it', () => {
    expect(result.below).toEqual([]);
  });

  it('takes readOnly as any bind does', () => {
    expect(result.mounted['/tmp/mapped-ro']).toBeNull();
    expect(result.options.readOnly).toEqual(expect.arrayContaining(['ro', 'idmapped']));
    expect(result.readOnlyWrite?.message).toMatch(/^EROFS/);
  });

  it('a filesystem that does not allow idmapping (ramfs) fails naming mount_setattr, errno and source, and mounts nothing', () => {
    expect(result.mounted['/tmp/refused']).toMatchObject({ name: 'SysError', syscall: 'mount_setattr', code: 'EINVAL' });
    expect(result.mounted['/tmp/refused']?.message).toContain('source="/tmp/ramfs"');
    expect(result.mounted['/tmp/refused']?.message).toContain('FS_ALLOW_IDMAP');
    expect(result.refusedMounted).toBe(false);
  });

  it('maps the kernel refuses fail at the write naming the map; an empty one fails before any process starts', () => {
    expect(result.overlapping).toMatchObject({ name: 'SysError', syscall: 'write', code: 'EINVAL' });
    expect(result.overlapping?.message).toMatch(/\/proc\/\d+\/uid_map.*0 1000000 10; 5 2000000 10/);
    expect(result.empty).toMatchObject({ name: 'RangeError', message: 'openUserNamespace: users must hold 1 to 340 ranges, got 0' });
  });

  it('leaves no descriptor open and no user namespace holder process behind, failures included', () => {
    expect(result.fdsAfter).toBe(result.fdsBefore);
    expect(result.fdsAtEnd).toBe(result.fdsBefore);
    expect(result.children).toBe('');
  });
});
