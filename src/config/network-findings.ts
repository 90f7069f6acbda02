// Checks of a `network` section a schema cannot express: addresses, prefixes and gateways that parse as IPv4 or IPv6,
// gateways of the route's family on a subnet of the interface, and two entries matching one interface.
import type { Config, Ethernet } from './generated/config-types';
import type { Finding } from './diagnostic';
import { parseIp, parsePrefix, type IpPrefix } from '../sys/netlink/ip-address';
import { parseRoute } from '../sys/netlink/route-spec';

type Path = readonly (string | number)[];

// glibc's resolver reads the first three nameserver lines (MAXNS) and ignores the rest.
const MAX_NAMESERVERS = 3;

/** Findings about the network section of a schema-valid config; none without one. */
export function networkFindings(config: Config): Finding[] {
  const network = config.network;
  if (!network) return [];
  // Interface labels are user-chosen: a Map, never an object's keys.
  const ethernets = new Map<string, Ethernet>(Object.entries(network.ethernets ?? {}));
  const findings: Finding[] = [];
  const macs = new Map<string, string>();
  let nameservers = 0;
  for (const [label, ethernet] of ethernets) {
    const at = ['network', 'ethernets', label];
    const mac = ethernet.match?.macaddress.toLowerCase();
    if (mac !== undefined) {
      const earlier = macs.get(mac);
      if (earlier !== undefined) {
        findings.push({ code: 'duplicate-interface', severity: 'error', path: [...at, 'match', 'macaddress'], message: `${label} matches MAC ${mac}, as ${earlier} does: one interface would be configured twice` });
      } else {
        macs.set(mac, label);
      }
    }
    const prefixes: IpPrefix[] = [];
    for (const [index, address] of (ethernet.addresses ?? []).entries()) {
      const prefix = parsed(() => parsePrefix(address), [...at, 'addresses', index], findings);
      if (prefix) prefixes.push(prefix);
    }
    for (const [index, route] of (ethernet.routes ?? []).entries()) findings.push(...routeFindings(label, ethernet, prefixes, route, [...at, 'routes', index]));
    for (const [index, server] of (ethernet.nameservers?.addresses ?? []).entries()) {
      nameservers += 1;
      if (!parseIp(server)) findings.push(addressFinding([...at, 'nameservers', 'addresses', index], `nameserver ${JSON.stringify(server)} is not an IPv4 or IPv6 address`));
      else if (nameservers === MAX_NAMESERVERS + 1) {
        findings.push({ code: 'invalid-value', severity: 'warning', path: [...at, 'nameservers', 'addresses', index], message: `more than ${MAX_NAMESERVERS} nameservers: the C library's resolver reads only the first ${MAX_NAMESERVERS} lines of /etc/resolv.conf` });
      }
    }
  }
  return findings;
}

function routeFindings(label: string, ethernet: Ethernet, prefixes: readonly IpPrefix[], route: { to: string; via: string }, at: Path): Finding[] {
  const findings: Finding[] = [];
  const gateway = parseIp(route.via);
  if (!gateway) return [addressFinding([...at, 'via'], `gateway ${JSON.stringify(route.via)} is not an IPv4 or IPv6 address`)];
  const parsedRoute = parsed(() => parseRoute('route', { destination: route.to, gateway: route.via, link: label }), [...at, 'to'], findings);
  if (!parsedRoute) return findings;
  // The kernel takes a gateway only on a subnet the link reaches (else ENETUNREACH); with DHCP that subnet comes later.
  const family = gateway.family;
  if (!(ethernet.dhcp4 && family === 4) && !prefixes.some((prefix) => prefix.address.family === family && contains(prefix, gateway.bytes))) {
    const own = prefixes.filter((prefix) => prefix.address.family === family);
    findings.push(
      addressFinding(
        [...at, 'via'],
        `gateway ${route.via} is on no subnet of ${label} (${own.length ? `its IPv${family} addresses are ${(ethernet.addresses ?? []).filter((text) => parseIp(text.split('/')[0] ?? '')?.family === family).join(', ')}` : `it has no IPv${family} address`}): the kernel refuses such a route with ENETUNREACH`,
      ),
    );
  }
  return findings;
}

// Runs a parser that throws a TypeError naming what is wrong; the error becomes a finding at `path`.
function parsed<T>(parse: () => T, path: Path, findings: Finding[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    findings.push(addressFinding(path, error.message.replace(/^route: /, '')));
    return undefined;
  }
}

function addressFinding(path: Path, message: string): Finding {
  return { code: 'invalid-address', severity: 'error', path: [...path], message };
}

function contains(prefix: IpPrefix, bytes: Uint8Array): boolean {
  return prefix.address.bytes.every((byte, index) => {
    const bits = Math.min(8, Math.max(0, prefix.length - index * 8));
    const mask = (0xff << (8 - bits)) & 0xff;
    return (byte & mask) === ((bytes[index] ?? 0) & mask);
  });
}
