// Bind mounts keep the flags they are configured with: the kernel ignores them on the bind itself.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

interface Result {
  results: Record<string, { options: string[]; write: string | null }>;
  sourceOptions: string[];
  log: string[];
}

describe('bind mounts', () => {
  let result: Result;
  beforeAll(() => {
    result = fixtureResult<Result>(runFixture('bind-mount'));
  });

  it('readOnly makes the bind read-only: mountinfo says ro and a write fails with EROFS', () => {
    expect(result.results['/tmp/read-only']?.options).toContain('ro');
    expect(result.results['/tmp/read-only']?.write).toMatch(/EROFS/);
  });

  it('noSuid, noDev, noExec and the atime choice reach the bind', () => {
    expect(result.results['/tmp/locked-down']?.options).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec', 'noatime']));
    expect(result.results['/tmp/locked-down']?.write).toBeNull();
  });

  it('keeps the flags a bind inherits from its source mount', () => {
    expect(result.sourceOptions).toContain('nosuid');
    expect(result.results['/tmp/inherits']?.options).toEqual(expect.arrayContaining(['ro', 'nosuid']));
  });

  it('a bind without flags is mounted once, writable', () => {
    expect(result.results['/tmp/plain']?.options).toContain('rw');
    expect(result.results['/tmp/plain']?.write).toBeNull();
  });
});
