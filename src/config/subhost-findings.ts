// Checks of a `subhost` section a schema cannot express: what a subhost replaces, what holds its upper layer,
// where its shares land, its cables, and paths inside the kernel's own filesystems.
import { posix } from 'node:path';
import type { Config, Subhost } from './generated/config-types';
import type { Finding } from './diagnostic';

type Path = readonly (string | number)[];

/** Findings about the subhost section of a schema-valid config; none without one. */
export function subhostFindings(config: Config): Finding[] {
  const subhost = config.subhost;
  if (!subhost) return [];
  return [...replacedSections(config), ...upperFindings(subhost), ...shareTargetFindings(subhost), ...cableFindings(config, subhost), ...cabledNetworkFindings(config, subhost), ...kernelPathFindings(subhost)];
}

// A subhost has no initramfs and builds its root from subhost.root: these sections have nothing to act on.
function replacedSections(config: Config): Finding[] {
  const findings: Finding[] = [];
  if (config.preSwitch !== undefined) {
    findings.push({
      code: 'not-for-subhost',
      severity: 'error',
      path: ['preSwitch'],
      at: 'key',
      message: 'a subhost has no initramfs phase: run commands on the host with `subhost.premount` (before its root is mounted) or `subhost.postmount` (after), and inside it with `postSwitch`',
    });
  }
  if (config.switchRoot !== undefined) {
    findings.push({
      code: 'not-for-subhost',
      severity: 'error',
      path: ['switchRoot'],
      at: 'key',
      message: "a subhost's root is built from `subhost.root` (lower, upper, work, live, or an image) and entered by bootstrap: remove `switchRoot`",
    });
  }
  return findings;
}

function upperFindings(subhost: Subhost): Finding[] {
  const root = subhost.root;
  if (root?.image === undefined || root.ramSize === undefined) return [];
  return [{
    code: 'subhost-upper-conflict',
    severity: 'error',
    path: ['subhost', 'root', 'ramSize'],
    at: 'key',
    message: "`ramSize` and `image` would both hold upper and work (a tmpfs, or the image's /root and /work): keep one",
  }];
}

// Two shares on one target: the second hides the first.
function shareTargetFindings(subhost: Subhost): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  for (const [index, share] of (subhost.share ?? []).entries()) {
    const target = posix.resolve('/', share.target ?? share.source);
    const earlier = seen.get(target);
    if (earlier === undefined) {
      seen.set(target, index);
      continue;
    }
    findings.push({
      code: 'duplicate-share-target',
      severity: 'error',
      path: ['subhost', 'share', index, share.target === undefined ? 'source' : 'target'],
      message: `${target} is already where item ${earlier + 1} of \`share\` appears in the subhost; a second bind there would hide the first`,
    });
  }
  return findings;
}

// overlay-boot(8): a VLAN tag sets up "a VLAN host interface on the prior host interface, and skip[s] subhost side
// setup", so it needs a veth cable before it and has no bridge or MAC of its own.
function cableFindings(config: Config, subhost: Subhost): Finding[] {
  const cables = subhost.cables ?? [];
  const findings: Finding[] = [];
  const cable = (index: number, key: string, message: string): void => void findings.push({ code: 'subhost-cable', severity: 'error', path: ['subhost', 'cables', index, key], message });
  if (cables.length > 0 && config.namespaces !== undefined && !config.namespaces.includes('net')) {
    findings.push({ code: 'subhost-cable', severity: 'error', path: ['subhost', 'cables'], at: 'key', message: "cables lead into the subhost's network namespace, and `namespaces` has no net: add net, or remove the cables" });
  }
  let prior: number | undefined;
  const vlans = new Map<string, number>();
  for (const [index, { bridge, mac, vlan }] of cables.entries()) {
    if (vlan === undefined) {
      prior = index;
      if (mac !== undefined && /^00(:00){5}$/.test(mac)) cable(index, 'mac', `${mac} is all zeros, which no interface may have`);
      continue;
    }
    for (const [key, value] of [['bridge', bridge], ['mac', mac]] as const) {
      if (value !== undefined) cable(index, key, `a VLAN cable is made on the host end of the cable before it and has nothing in the subhost: it takes no ${key} (make it a cable of its own)`);
    }
    // The seed's range is 1–4095, but IEEE 802.1Q reserves 4095 and Linux refuses it (measured: ERANGE).
    if (vlan === 4095) cable(index, 'vlan', 'VLAN 4095 is reserved by IEEE 802.1Q and Linux refuses it ("8021q: Invalid VLAN id"): use 1 to 4094');
    if (prior === undefined) {
      cable(index, 'vlan', 'a VLAN cable goes "on the prior host interface", the host end of a cable before it, and there is none: put a cable without vlan first');
      continue;
    }
    const key = `${prior}.${vlan}`;
    const earlier = vlans.get(key);
    if (earlier !== undefined) cable(index, 'vlan', `cables[${earlier}] already puts VLAN ${vlan} on the host end of cables[${prior}]`);
    else vlans.set(key, index);
  }
  return findings;
}

// A subhost's own `network` configures its side of its cables: cable i is eth<i> in its network namespace (a VLAN
// cable makes nothing there). An entry for another name waits `waitOnline` for a link that never comes, then fails the
// boot; a warning, not an error, since a hook could make the interface (a dummy, say) before the network step.
function cabledNetworkFindings(config: Config, subhost: Subhost): Finding[] {
  // Without its own network namespace the subhost sees the host's interfaces, whatever they are.
  if (config.network?.ethernets === undefined || (config.namespaces !== undefined && !config.namespaces.includes('net'))) return [];
  const cables = subhost.cables ?? [];
  const inside = cables.flatMap((cable, index) => (cable.vlan === undefined ? [`eth${index}`] : []));
  const macs = new Set(cables.flatMap((cable) => (cable.vlan === undefined && cable.mac !== undefined ? [cable.mac.toLowerCase()] : [])));
  const findings: Finding[] = [];
  // Interface labels are user-chosen: a Map, never an object's keys.
  for (const [label, ethernet] of new Map(Object.entries(config.network.ethernets))) {
    const mac = ethernet.match?.macaddress.toLowerCase();
    if (mac !== undefined ? macs.has(mac) : inside.includes(label) || label === 'lo') continue;
    const made = inside.length === 0 ? 'the subhost has no cables, so its network namespace has only lo' : `its cables make ${inside.join(', ')}`;
    const wanted = mac === undefined ? label : `an interface with MAC ${mac}`;
    findings.push({ code: 'subhost-cable', severity: 'warning', path: ['network', 'ethernets', label], at: 'key', message: `network.ethernets.${label} configures ${wanted} in the subhost, but ${made}: the network step would wait waitOnline for it and fail the boot` });
  }
  return findings;
}

/** The kernel's own filesystems: the host's, or the ones the subhost mounts for itself at the same places. */
const KERNEL_FILESYSTEMS = ['/proc', '/sys'];

/** The kernel filesystem `path` is in, or undefined. */
function kernelFilesystemOf(path: string): string | undefined {
  return KERNEL_FILESYSTEMS.find((top) => path === top || path.startsWith(`${top}/`));
}

// Paths relative to base are known only once base is absolute (a relative base is relative to the config file's
// directory, which validation does not know); those are checked when they can be placed.
function kernelPathFindings(subhost: Subhost): Finding[] {
  const findings: Finding[] = [];
  const check = (written: string, path: Path, what: string, from: string | undefined): void => {
    const absolute = written.startsWith('/') ? posix.resolve(written) : from === undefined ? undefined : posix.resolve(from, written);
    const top = absolute === undefined ? undefined : kernelFilesystemOf(absolute);
    if (absolute === undefined || top === undefined) return;
    findings.push({
      code: 'virtual-filesystem-path',
      severity: 'error',
      path,
      message: `${what} ${absolute} is in ${top}, a kernel filesystem (the host's, or the subhost's own, mounted there by its PID 1): nothing of a subhost can be kept or bound there`,
    });
  };
  check(subhost.base, ['subhost', 'base'], 'the base', undefined);
  // A base in /proc is reported once, not again for every path under it.
  const absoluteBase = subhost.base.startsWith('/') ? posix.resolve(subhost.base) : undefined;
  const base = absoluteBase !== undefined && kernelFilesystemOf(absoluteBase) === undefined ? absoluteBase : undefined;
  const root = subhost.root;
  if (root) {
    const lowers = Array.isArray(root.lower) ? root.lower : [root.lower];
    for (const [index, lower] of lowers.entries()) check(lower, Array.isArray(root.lower) ? ['subhost', 'root', 'lower', index] : ['subhost', 'root', 'lower'], 'the lower layer', base);
    for (const key of ['upper', 'work', 'live', 'image'] as const) {
      const value = root[key];
      if (value !== undefined) check(value, ['subhost', 'root', key], `\`${key}\``, base);
    }
  }
  if (subhost.log !== undefined) check(subhost.log, ['subhost', 'log'], 'the log', base);
  for (const [index, share] of (subhost.share ?? []).entries()) {
    check(share.source, ['subhost', 'share', index, 'source'], 'the shared host path', undefined);
    if (share.target !== undefined) check(share.target, ['subhost', 'share', index, 'target'], 'the share target', undefined);
  }
  return findings;
}
