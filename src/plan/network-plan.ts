// The `network` section as steps: one per interface, then resolv.conf and the hostname. Pure.
import type { Config, Ethernet, Network } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import type { FailurePolicy, PhaseName, Step } from './step';

const abort: FailurePolicy = { onFailure: 'Abort', retries: 0, retryDelayMs: 0 };

/** Where the network's interfaces are configured: as the config says, else before an NFS root is mounted, else postSwitch. */
export function networkPhase(config: Config): PhaseName {
  return config.network?.phase ?? (config.switchRoot?.rootFileSystem.type === 'nfs' ? 'preSwitch' : 'postSwitch');
}

/** Why this config (with ip= applied) cannot mount its root: an NFS root with no network to reach its server. */
export function rootWithoutNetwork(config: Config): string | undefined {
  const root = config.switchRoot?.rootFileSystem;
  if (root?.type !== 'nfs' || config.network) return undefined;
  return `the root is NFS (${root.server}:${root.export}) and nothing configures the network before it is mounted: add a \`network\` section to the config, or boot with ip= naming the device (ip=:::::eth0:dhcp, or ip=<address>::<gateway>:<netmask>::eth0:off)`;
}

/**
 * The steps that configure the network's interfaces and hostname in `phase`; none without a `network` section.
 * resolv.conf is always written in postSwitch: it belongs in the root the boot ends in, not in an initramfs left behind.
 */
export function networkSteps(network: Network | undefined, phase: PhaseName): Step[] {
  if (!network) return [];
  const timeoutMs = parseDuration(network.waitOnline);
  // Interface labels are user-chosen: a Map keeps `toString` an interface only when the config has one.
  const ethernets = new Map<string, Ethernet>(Object.entries(network.ethernets ?? {}));
  const steps: Step[] = [];
  for (const [label, ethernet] of ethernets) {
    steps.push({
      kind: 'network',
      phase,
      source: `/network/ethernets/${escapePointer(label)}`,
      policy: abort,
      interface: label,
      match: ethernet.match ? { mac: ethernet.match.macaddress.toLowerCase() } : { name: label },
      timeoutMs,
      mtu: ethernet.mtu,
      dhcp4: ethernet.dhcp4,
      addresses: [...(ethernet.addresses ?? [])],
      routes: (ethernet.routes ?? []).map((route) => ({ to: route.to, via: route.via, metric: route.metric })),
    });
  }
  const nameservers = [...ethernets.values()].flatMap((ethernet) => ethernet.nameservers?.addresses ?? []);
  const search = [...ethernets.values()].flatMap((ethernet) => ethernet.nameservers?.search ?? []);
  // DHCP leases bring nameservers of their own, known only when the step runs.
  const leases = [...ethernets.values()].some((ethernet) => ethernet.dhcp4);
  if (nameservers.length > 0 || search.length > 0 || leases) {
    steps.push({ kind: 'resolvConf', phase: 'postSwitch', source: '/network/ethernets', policy: abort, nameservers: [...new Set(nameservers)], search: [...new Set(search)], leases });
  }
  if (network.hostname !== undefined) steps.push({ kind: 'hostname', phase, source: '/network/hostname', policy: abort, hostname: network.hostname });
  return steps;
}

// RFC 6901: a key in a JSON pointer has ~ written ~0 and / written ~1.
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
