// The unshare(1) command line for a set of namespaces, and where unshare(1) is looked for.
import { describe, expect, it } from 'vitest';
import { findUnshare, NamespaceError } from '../../../src/namespaces/find-unshare';
import { unshareArgv } from '../../../src/namespaces/unshare-argv';

const program = ['/bootstrap', '__boot-in-namespaces', '--config', '/mnt/init.yml'];

describe('unshareArgv', () => {
  it("lcboot's set: one option per namespace, ambient capabilities for the user namespace, private propagation, no fork without pid", () => {
    expect(unshareArgv({ unshare: '/usr/bin/unshare', namespaces: ['cgroup', 'net', 'ipc', 'uts', 'mount', 'user'], argv: program })).toEqual([
      '/usr/bin/unshare',
      '--user',
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--cgroup',
      '--keep-caps',
      '--propagation',
      'private',
      '--',
      ...program,
    ]);
  });

  it('a PID namespace forks (the program is its PID 1); without user and mount there is nothing to keep or make private', () => {
    expect(unshareArgv({ unshare: '/bin/unshare', namespaces: ['pid', 'uts'], argv: ['/bin/true'] })).toEqual(['/bin/unshare', '--uts', '--pid', '--fork', '--', '/bin/true']);
  });

  it('persist.net binds the network namespace to a file', () => {
    expect(unshareArgv({ unshare: '/u', namespaces: ['net', 'mount'], persist: { net: '/run/netns/web' }, argv: ['/bin/true'] })).toEqual(['/u', '--mount', '--net=/run/netns/web', '--propagation', 'private', '--', '/bin/true']);
  });

  it('refuses an empty list, a relative program and persist.net without net or with a relative path', () => {
    expect(() => unshareArgv({ unshare: '/u', namespaces: [], argv: ['/bin/true'] })).toThrow(/the list is empty/);
    expect(() => unshareArgv({ unshare: '/u', namespaces: ['uts'], argv: ['true'] })).toThrow(/absolute path, got "true"/);
    expect(() => unshareArgv({ unshare: '/u', namespaces: ['uts'], argv: [] })).toThrow(/absolute path, got ""/);
    expect(() => unshareArgv({ unshare: '/u', namespaces: ['uts'], persist: { net: '/run/netns/x' }, argv: ['/bin/true'] })).toThrow(/`net` among the namespaces/);
    expect(() => unshareArgv({ unshare: '/u', namespaces: ['net'], persist: { net: 'x' }, argv: ['/bin/true'] })).toThrow(/needs an absolute path/);
  });
});

describe('findUnshare', () => {
  it('tries /usr/bin/unshare, /bin/unshare, then PATH in order', () => {
    const tried: string[] = [];
    const lookup = (present: string) => (path: string) => {
      tried.push(path);
      return path === present;
    };
    expect(findUnshare({ path: '/opt/bin:/sbin', isExecutable: lookup('/usr/bin/unshare') })).toBe('/usr/bin/unshare');
    tried.length = 0;
    expect(findUnshare({ path: '/opt/bin/:/sbin', isExecutable: lookup('/sbin/unshare') })).toBe('/sbin/unshare');
    expect(tried).toEqual(['/usr/bin/unshare', '/bin/unshare', '/opt/bin/unshare', '/sbin/unshare']);
  });

  it('skips relative PATH entries and says what it looked at, why it needs unshare and how to get it', () => {
    const tried: string[] = [];
    let error: unknown;
    try {
      findUnshare({
        path: 'bin:/usr/local/bin',
        isExecutable: (path) => {
          tried.push(path);
          return false;
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(tried).toEqual(['/usr/bin/unshare', '/bin/unshare', '/usr/local/bin/unshare']);
    expect(error).toBeInstanceOf(NamespaceError);
    const message = (error as Error).message;
    expect(message).toMatch(/^namespaces: needs util-linux unshare\(1\), which is not in this root \(looked at \/usr\/bin\/unshare, \/bin\/unshare and PATH=bin:\/usr\/local\/bin\)/);
    expect(message).toMatch(/unshare\(2\) refuses them \(EINVAL\)/);
    expect(message).toMatch(/bootstrap pack --add \/usr\/bin\/unshare:\/usr\/bin\/unshare/);
    expect(() => findUnshare({ path: undefined, isExecutable: () => false })).toThrow(/PATH=\(unset\)/);
  });
});
