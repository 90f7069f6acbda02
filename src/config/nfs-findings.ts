// Checks of NFS mounts a schema cannot express: a server given as an address (mount(2) does no DNS lookup), options
// of one version only, and an NFS root with no network configured before it is mounted.
import type { Config, Mount, Nfs, RootFileSystem } from './generated/config-types';
import type { Finding } from './diagnostic';
import { parseIp } from '../sys/netlink/ip-address';
import { networkPhase } from '../plan/network-plan';
import { nfsVersion } from '../plan/nfs-options';

type Path = readonly (string | number)[];

/** Findings about every NFS mount of a schema-valid config, and about the network an NFS root needs. */
export function nfsFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  const root = config.switchRoot?.rootFileSystem;
  if (root?.type === 'nfs') {
    const at = ['switchRoot', 'rootFileSystem'];
    findings.push(...exportFindings(root, at));
    if (!config.network) {
      findings.push({
        code: 'nfs-network',
        severity: 'warning',
        path: at,
        message: 'an NFS root needs the network before it is mounted, and this config has no `network` section: the boot then needs ip= on the kernel command line (ip=dhcp is not enough: bootstrap needs the device, ip=:::::eth0:dhcp), and fails without it',
      });
    } else if (networkPhase(config) === 'postSwitch') {
      findings.push({
        code: 'nfs-network',
        severity: 'error',
        path: ['network', 'phase'],
        message: 'the root is NFS, so the network must be up before it is mounted: use phase preSwitch, or leave `phase` out',
      });
    }
  }
  for (const phase of ['preSwitch', 'postSwitch'] as const) {
    for (const [index, mount] of (config[phase]?.mounts ?? []).entries()) {
      if (mount.type === 'nfs') findings.push(...exportFindings(mount, [phase, 'mounts', index]));
    }
  }
  return findings;
}

function exportFindings(spec: (Mount | RootFileSystem) & Nfs, at: Path): Finding[] {
  const findings: Finding[] = [];
  if (!parseIp(spec.server)) {
    findings.push({
      code: 'invalid-address',
      severity: 'error',
      path: [...at, 'server'],
      message: `NFS server ${JSON.stringify(spec.server)} is not an IPv4 or IPv6 address: the kernel's NFS client takes an address (mount(2) does no DNS lookup)`,
    });
  }
  if (spec.mountPort !== undefined && nfsVersion(spec.version) !== '3') {
    findings.push({ code: 'invalid-value', severity: 'error', path: [...at, 'mountPort'], message: `mountPort is the NFSv3 mount daemon's port, and this export is mounted with NFS version ${nfsVersion(spec.version)}: set version "3", or remove mountPort` });
  }
  return findings;
}
