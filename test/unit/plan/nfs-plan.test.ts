// An NFS root as steps: the network before it (preSwitch), resolv.conf after the switch, the version's client module,
// and the mount(2) call with its text options and the ports that must answer first.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import type { Config } from '../../../src/config/generated/config-types';
import { buildPlan, impliedModules } from '../../../src/plan/build-plan';
import { rootWithoutNetwork } from '../../../src/plan/network-plan';
import { nfsCall } from '../../../src/plan/nfs-options';

function config(text: string): Config {
  const result = validateConfigText(text);
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

const nfsRoot = (root: string, network = 'network:\n  hostname: guest1\n  ethernets:\n    eth0: {dhcp4: true}\n'): string => `preSwitch:
  modules: {names: [virtio_net]}
  hooks: [/bin/true]
switchRoot:
  rootFileSystem: {type: nfs, server: 10.0.2.2, export: /srv/root${root}}
${network}postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;

const kinds = (steps: ReturnType<typeof buildPlan>, phase: string): string[] => steps.filter((step) => step.phase === phase).map((step) => step.kind);

describe('an NFS root', () => {
  it('brings the network up in preSwitch, after the modules and before the hooks; resolv.conf is written after the switch', () => {
    const steps = buildPlan(config(nfsRoot('')));
    expect(kinds(steps, 'preSwitch').slice(-4)).toEqual(['loadModule', 'network', 'hostname', 'hook']);
    expect(kinds(steps, 'postSwitch')).toEqual(['resolvConf', 'handoff']);
  });

  it('leaves the network in postSwitch for any other root, and where `phase` puts it', () => {
    const virtiofs = nfsRoot('').replace('{type: nfs, server: 10.0.2.2, export: /srv/root}', '{type: virtiofs, tag: rootfs}');
    expect(kinds(buildPlan(config(virtiofs)), 'postSwitch')).toEqual(['network', 'resolvConf', 'hostname', 'handoff']);
    const early = virtiofs.replace('network:\n', 'network:\n  phase: preSwitch\n');
    expect(kinds(buildPlan(config(early)), 'preSwitch')).toContain('network');
    expect(kinds(buildPlan(config(early)), 'postSwitch')).toEqual(['resolvConf', 'handoff']);
  });

  it('mounts NFSv4 by default on port 2049 with addr=, waiting for the server on that port, minor versions 2, 1, 0 in turn', () => {
    const mount = buildPlan(config(nfsRoot(''))).find((step) => step.kind === 'mount');
    expect(mount).toMatchObject({ fsType: 'nfs4', device: '10.0.2.2:/srv/root', target: '/sysroot', options: 'vers=4.2,proto=tcp,port=2049,addr=10.0.2.2,timeo=100,retrans=2', wait: { kind: 'server', server: '10.0.2.2', export: '/srv/root', ports: [2049], versions: ['4.2', '4.1', '4.0'], timeoutMs: 10_000 } });
  });

  it('mounts NFSv3 with nolock and the mount daemon over TCP on mountPort, both ports waited for; user options come last', () => {
    const mount = buildPlan(config(nfsRoot(', version: "3", port: 2050, mountPort: 20048, options: "timeo=50,retrans=3", timeout: 30s'))).find((step) => step.kind === 'mount');
    expect(mount).toMatchObject({ fsType: 'nfs', options: 'vers=3,proto=tcp,port=2050,addr=10.0.2.2,timeo=100,retrans=2,nolock,mountproto=tcp,mountport=20048,timeo=50,retrans=3', wait: { ports: [2050, 20048], versions: ['3'], timeoutMs: 30_000 } });
  });

  it('takes the version as YAML reads it: 3 and 4.1 as numbers, "4.0" quoted', () => {
    const options = (version: string): string | undefined => {
      const mount = buildPlan(config(nfsRoot(`, version: ${version}`))).find((step) => step.kind === 'mount');
      return mount?.kind === 'mount' ? `${mount.fsType} ${mount.options.split(',')[0] ?? ''}` : undefined;
    };
    expect([options('3'), options('4.1'), options('"4.0"'), options('4.2')]).toEqual(['nfs vers=3', 'nfs4 vers=4.1', 'nfs4 vers=4.0', 'nfs4 vers=4.2']);
    expect(impliedModules(config(nfsRoot(', version: 3')))).toEqual(['nfsv3']);
  });

  it('brackets an IPv6 server in the source, not in addr=', () => {
    expect(nfsCall({ type: 'nfs', server: 'fd00::2', export: '/srv', version: '4.1', port: 2049 }, undefined)).toEqual({ fsType: 'nfs4', device: '[fd00::2]:/srv', options: 'vers=4.1,proto=tcp,port=2049,addr=fd00::2,timeo=100,retrans=2', ports: [2049], versions: ['4.1'] });
  });

  it('implies the client module of its version, unless listed', () => {
    expect(impliedModules(config(nfsRoot('')))).toEqual(['nfsv4']);
    expect(impliedModules(config(nfsRoot(', version: "3"')))).toEqual(['nfsv3']);
    expect(impliedModules(config(nfsRoot('').replace('[virtio_net]', '[virtio_net, nfsv4]')))).toEqual([]);
  });

  it('without a network section (and no ip= applied) cannot be booted, and says what to add', () => {
    expect(rootWithoutNetwork(config(nfsRoot('', '')))).toMatch(/^the root is NFS \(10\.0\.2\.2:\/srv\/root\) and nothing configures the network before it is mounted: add a `network` section .*ip=:::::eth0:dhcp/);
    expect(rootWithoutNetwork(config(nfsRoot('')))).toBeUndefined();
  });
});
