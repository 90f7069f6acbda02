// The network section as steps: where they go in the boot, one per interface, resolv.conf, the hostname, as text.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import type { Config } from '../../../src/config/generated/config-types';
import { buildPlan } from '../../../src/plan/build-plan';
import { formatPlan } from '../../../src/plan/format-plan';

function config(text: string): Config {
  const result = validateConfigText(text);
  if (!result.config) throw new Error(JSON.stringify(result.diagnostics));
  return result.config;
}

const text = `network:
  hostname: guest1
  ethernets:
    eth0:
      addresses: ["192.168.10.2/24", "fd00::2/64"]
      routes: [{to: default, via: 192.168.10.1}]
      nameservers: {addresses: [192.168.10.1], search: [example.org]}
      mtu: 1400
    lan:
      match: {macaddress: "52:54:00:AB:34:56"}
      addresses: [10.0.0.2/8]
      nameservers: {addresses: [192.168.10.1, 10.0.0.1]}
postSwitch:
  sysctl: {net.ipv4.ip_forward: 1}
  hooks: [/bin/true]
  handoff: {mode: exec, program: /sbin/init}
`;

describe('network steps', () => {
  const steps = buildPlan(config(text));

  it('run in postSwitch after its files and before its hooks, an interface at a time, then resolv.conf and the hostname', () => {
    expect(steps.filter((step) => step.phase === 'postSwitch').map((step) => step.kind)).toEqual(['sysctl', 'network', 'network', 'resolvConf', 'hostname', 'hook', 'handoff']);
  });

  it('find an interface by name or by MAC (lower case), with waitOnline defaulted to 10s', () => {
    const network = steps.filter((step) => step.kind === 'network');
    expect(network).toEqual([
      expect.objectContaining({ interface: 'eth0', source: '/network/ethernets/eth0', match: { name: 'eth0' }, timeoutMs: 10_000, mtu: 1400, dhcp4: false, addresses: ['192.168.10.2/24', 'fd00::2/64'], routes: [{ to: 'default', via: '192.168.10.1', metric: undefined }] }),
      expect.objectContaining({ interface: 'lan', match: { mac: '52:54:00:ab:34:56' }, mtu: undefined, routes: [] }),
    ]);
  });

  it('write every interface\'s nameservers once, in order', () => {
    expect(steps.find((step) => step.kind === 'resolvConf')).toMatchObject({ nameservers: ['192.168.10.1', '10.0.0.1'], search: ['example.org'] });
  });

  it('read as plan text', () => {
    const plan = formatPlan(steps);
    expect(plan).toContain('wait up to 10000ms for eth0 and its carrier, set MTU 1400, bring it up, add 192.168.10.2/24, fd00::2/64, route default via 192.168.10.1');
    expect(plan).toContain('wait up to 10000ms for lan (the link with MAC 52:54:00:ab:34:56) and its carrier, bring it up, add 10.0.0.2/8');
    expect(plan).toContain('write /etc/resolv.conf (nameserver 192.168.10.1, 10.0.0.1) (search example.org)');
    expect(plan).toContain('set the hostname to guest1');
  });

  it('are none without a network section, and only a hostname step for a hostname alone', () => {
    expect(buildPlan(config('postSwitch: {handoff: {mode: none}}\n')).some((step) => ['network', 'resolvConf', 'hostname'].includes(step.kind))).toBe(false);
    expect(buildPlan(config('network: {hostname: h, waitOnline: 3s}\npostSwitch: {handoff: {mode: none}}\n')).filter((step) => step.source.startsWith('/network')).map((step) => step.kind)).toEqual(['hostname']);
  });
});
