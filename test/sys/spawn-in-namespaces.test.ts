// spawnInNamespaces for real (root, inside unshare): namespaces made by util-linux unshare(1), every id map range
// written from outside, the PID namespace's init found and signalled, and bounded refusals.
import { beforeAll, describe, expect, it } from 'vitest';
import { describe as describeRun, fixtureResult, runFixture, type FixtureRun } from './run-fixture';

type Failure = { name: string; message: string; code?: string; syscall?: string } | null;
interface Result {
  lcboot: { samePid: boolean; argv: string[]; idMaps: { uidMap: string; gidMap: string; setgroups: string }; exit: Record<string, unknown>; out: string[]; ours: string[] };
  pid: { samePid: boolean; nsPid: string[]; exit: Record<string, unknown>; out: string[] };
  persisted: { exit: Record<string, unknown>; fsType: string | undefined; inside: string; root: string | undefined };
  unshareFails: Failure;
  silent: { error: Failure; elapsedMs: number; childrenLeft: string };
  noIdMap: Failure;
  idMapWithoutUser: Failure;
  overlapping: Failure;
  refusedMap: Failure;
  passFdsClash: Failure;
}

describe('spawnInNamespaces', () => {
  let run: FixtureRun;
  let result: Result;
  beforeAll(() => {
    run = runFixture('spawn-in-namespaces');
    result = fixtureResult(run);
  });

  it("creates lcboot's namespaces with unshare(1) and writes every range of both maps from outside", () => {
    const { lcboot } = result;
    expect(lcboot.argv.slice(1, 10), describeRun(run)).toEqual(['--user', '--mount', '--uts', '--ipc', '--net', '--cgroup', '--keep-caps', '--propagation', 'private']);
    expect(lcboot.exit).toMatchObject({ exitCode: 0 });
    expect(Object.keys(lcboot.exit).sort()).toEqual(['exitCode', 'pid']);
    const fields = (line: string | undefined): string => (line ?? '').trim().split(/\s+/).join(' ');
    expect(lcboot.out.slice(0, 6).map(fields)).toEqual(['0 1000000 65536', '0 1000000 1', '1 1000001 1', '2 1000002 1', '3 1000003 65533', 'allow']);
    expect(lcboot.idMaps.setgroups).toBe('allow');
    // Each of its namespaces differs from ours; without a PID namespace the program is unshare's own pid.
    expect(lcboot.out.slice(6, 9)).toHaveLength(3);
    lcboot.out.slice(6, 9).forEach((link, index) => expect(link).not.toBe(lcboot.ours[index]));
    expect(lcboot.samePid).toBe(true);
  });

  it('with pid, the program is PID 1 of the new PID namespace; initPid reaches it with a signal, and its status comes back', () => {
    const { pid } = result;
    expect(pid.samePid).toBe(false);
    expect(pid.nsPid.at(-1)).toBe('1');
    expect(pid.out).toEqual(['pid=1 ppid=0', 'TERM']);
    expect(pid.exit).toMatchObject({ exitCode: 9 });
  });

  it('persist.net binds the new network namespace to the file, where it outlives the program', () => {
    const { persisted } = result;
    expect(persisted.exit).toMatchObject({ exitCode: 0 });
    expect(persisted.fsType).toBe('nsfs');
    // The bound namespace is the one the program ran in: nsfs names it net:[inode] as /proc/PID/ns/net does.
    expect(persisted.root).toBe(persisted.inside);
  });

  it('an unshare that fails before the program starts is an error naming it, not a hang', () => {
    expect(result.unshareFails?.name).toBe('NamespaceError');
    expect(result.unshareFails?.message).toMatch(/^namespaces: \/bin\/false ended \(status 1\) before the program started in the new namespaces; .*util-linux unshare/);
  });

  it('a program that never announces itself is killed after the timeout', () => {
    expect(result.silent.error?.message).toMatch(/did not start in the new namespaces within 300ms/);
    expect(result.silent.elapsedMs).toBeLessThan(3000);
    expect(result.silent.childrenLeft).toBe('');
  });

  it('refuses idMap without user, user without idMap and overlapping ranges before starting anything', () => {
    expect(result.noIdMap?.message).toBe('namespaces: a new user namespace needs idMap (its uid and gid ranges)');
    expect(result.idMapWithoutUser?.message).toBe('namespaces: idMap is given but `user` is not among the namespaces to create');
    expect(result.overlapping?.message).toMatch(/^namespaces: idMap: uid_map: ranges 0 1000 10 and 5 2000 1 overlap inside the namespace/);
  });

  it('a map the kernel refuses is a SysError naming the file, the call and errno', () => {
    expect(result.refusedMap).toMatchObject({ name: 'SysError', syscall: 'write', code: 'EPERM' });
    expect(result.refusedMap?.message).toMatch(/^write\(path="\/proc\/\d+\/uid_map", text="0 1000000 65536"\): EPERM .*the outside ids must exist/);
  });

  it('posixSpawn refuses descriptors to pass that an earlier one would overwrite', () => {
    expect(result.passFdsClash).toEqual({ name: 'RangeError', message: 'posix_spawn: passFds[1] (3) would be overwritten by passFds[0] becoming 3; pass it earlier or dup it above 4' });
  });
});
