// resolveLookup: a module planned for run time, found with its dependencies in the tree of the root it runs in.
import { describe, expect, it } from 'vitest';
import { resolveLookup } from '../../src/exec/module-lookup';
import type { ModuleLookup } from '../../src/plan/step';

const lookup = (request: string, parameters: Record<string, string> = {}): ModuleLookup => ({ request, directory: '/lib/modules', depFilePath: undefined, parameters, parallel: true });
const tree = (files: Record<string, string>) => (path: string) => files[path];
const dep = 'kernel/drivers/net/virtio_net.ko: kernel/net/core/net_failover.ko kernel/net/core/failover.ko\nkernel/net/core/net_failover.ko: kernel/net/core/failover.ko\nkernel/net/core/failover.ko:\nkernel/crypto/crc32c_generic.ko:\n';

describe('resolveLookup', () => {
  it('orders the module after its dependencies, from the running kernel directory, with parameters by module name', () => {
    const resolved = resolveLookup(lookup('virtio-net', { net_failover: 'x=1' }), tree({ '/lib/modules/6.12.0/modules.dep': dep }), { kernelRelease: '6.12.0' });
    expect(resolved.depPath).toBe('/lib/modules/6.12.0/modules.dep');
    expect(resolved.loads).toEqual([
      { name: 'failover', path: '/lib/modules/6.12.0/kernel/net/core/failover.ko', parameters: '', optional: false, after: [] },
      { name: 'net_failover', path: '/lib/modules/6.12.0/kernel/net/core/net_failover.ko', parameters: 'x=1', optional: false, after: ['failover'] },
      { name: 'virtio_net', path: '/lib/modules/6.12.0/kernel/drivers/net/virtio_net.ko', parameters: '', optional: false, after: ['failover', 'net_failover'] },
    ]);
  });

  it('finds the tree under /usr/lib/modules on a merged-/usr root without /lib/modules', () => {
    const resolved = resolveLookup(lookup('failover'), tree({ '/usr/lib/modules/6.12.0/modules.dep': dep }), { kernelRelease: '6.12.0' });
    expect(resolved.loads.map((load) => load.path)).toEqual(['/usr/lib/modules/6.12.0/kernel/net/core/failover.ko']);
  });

  it("skips what the tree's modules.builtin or /proc/modules names, and marks soft dependencies optional", () => {
    const files = tree({
      '/lib/modules/6.12.0/modules.dep': dep,
      '/lib/modules/6.12.0/modules.builtin': 'kernel/drivers/virtio/virtio_pci.ko\n',
      '/lib/modules/6.12.0/modules.softdep': 'softdep virtio_net pre: crc32c_generic\n',
    });
    const resolved = resolveLookup(lookup('virtio_net'), files, { kernelRelease: '6.12.0', loaded: new Set(['net_failover']) });
    expect(resolved.loads.map((load) => [load.name, load.optional])).toEqual([
      ['crc32c_generic', true],
      ['failover', false],
      ['virtio_net', false],
    ]);
    expect(resolveLookup(lookup('virtio-pci'), files, { kernelRelease: '6.12.0' })).toMatchObject({ loads: [], skipped: [{ name: 'virtio_pci', reason: 'builtin' }] });
  });

  it('fails naming the tree when the module is unknown or no modules.dep is readable', () => {
    expect(() => resolveLookup(lookup('e1000e'), tree({ '/lib/modules/6.12.0/modules.dep': dep }), { kernelRelease: '6.12.0' })).toThrow(/module e1000e: .*\(\/lib\/modules\/6\.12\.0\/modules\.dep\)/);
    expect(() => resolveLookup(lookup('e1000e'), tree({}), { kernelRelease: '6.12.0' })).toThrow(
      'module e1000e: cannot read modules.dep in /lib/modules or /lib/modules/6.12.0 or /usr/lib/modules or /usr/lib/modules/6.12.0 of this root',
    );
  });
});
