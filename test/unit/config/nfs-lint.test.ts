// What validate finds in an NFS mount or root: a server name where an address is needed, mountPort off NFSv3, and an
// NFS root whose network comes too late or from nowhere, each at its line:column.
import { describe, expect, it } from 'vitest';
import { validate } from './validate-helpers';

const placed = (text: string): string[] => validate(text).diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.code} ${diagnostic.pointer} ${diagnostic.line}:${diagnostic.column}`);

const root = (fields: string, network = 'network:\n  ethernets:\n    eth0: {dhcp4: true}\n'): string => `switchRoot:
  rootFileSystem: {type: nfs, server: 10.0.2.2, export: /srv${fields}}
${network}postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;

describe('an NFS export', () => {
  it('with an address and a network is valid', () => {
    expect(placed(root(', version: "3", mountPort: 20048'))).toEqual([]);
  });

  it('needs an address, not a name (mount(2) does no DNS lookup)', () => {
    expect(placed(root('').replace('10.0.2.2', 'nfs.example.org'))).toEqual(['error invalid-address /switchRoot/rootFileSystem/server 2:39']);
    const mount = 'preSwitch:\n  mounts:\n    - {type: nfs, server: files, export: /srv, target: /srv}\npostSwitch:\n  handoff: {mode: none}\n';
    expect(placed(mount)).toEqual(['error invalid-address /preSwitch/mounts/0/server 3:27']);
  });

  it('has mountPort only with NFSv3', () => {
    expect(placed(root(', mountPort: 20048'))).toEqual(['error invalid-value /switchRoot/rootFileSystem/mountPort 2:74']);
  });

  it('as the root needs the network in preSwitch', () => {
    expect(placed(root('', 'network:\n  phase: postSwitch\n  ethernets:\n    eth0: {dhcp4: true}\n'))).toEqual(['error nfs-network /network/phase 4:10']);
  });

  it('as the root with no network section is a warning: ip= may come from the kernel command line', () => {
    const result = validate(root('', ''));
    expect(result.diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.code} ${diagnostic.pointer} ${diagnostic.line}:${diagnostic.column}`)).toEqual(['warning nfs-network /switchRoot/rootFileSystem 2:19']);
    expect(result.diagnostics[0]?.message).toContain('ip=:::::eth0:dhcp');
  });
});
