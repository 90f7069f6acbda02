// Handlers for `network`, `resolvConf` and `hostname`: links through rtnetlink, /etc/resolv.conf, sethostname(2).
import { requestLease } from '../../net/dhcp/client';
import type { DhcpLease } from '../../net/dhcp/lease';
import { parseIp, parseMac } from '../../sys/netlink/ip-address';
import type { LinkInfo } from '../../sys/index';
import { SysError } from '../../sys/sys-error';
import type { StepOf } from '../../plan/step';
import type { BaseContext } from '../context';
import { leaseRecord, writeNetworkRecord, type NetworkRecord } from '../network-record';
import { writeResolvConfFile, type ResolvConfSource } from '../resolv-conf';
import { waitUntil } from '../wait-until';
import { nowMs } from '../../clock';

/** What network steps need: the record they add to. */
export interface NetworkContext extends BaseContext {
  network: NetworkRecord;
  /** Where the record is written; /run/bootstrap/network.json unless a test says otherwise. */
  networkRecordPath?: string;
  /** Where resolv.conf is written; /etc/resolv.conf unless a test says otherwise. */
  resolvConfPath?: string;
  /** Set by the resolvConf step: what it wrote from the config, for renewal to write again. */
  resolvConf?: ResolvConfSource;
}

/** Finds the link, waits for its carrier, sets MTU, brings it up, adds addresses and routes, and records them. */
export async function configureInterface(step: StepOf<'network'>, context: NetworkContext): Promise<void> {
  const { sys, log } = context;
  const started = nowMs();
  const what = 'name' in step.match ? `interface ${step.match.name}` : `interface with MAC ${step.match.mac} (for ${step.interface})`;
  const link = await waitUntil(
    () => findLink(sys.listLinks(), step.match),
    { timeoutMs: step.timeoutMs },
    () => new Error(`network ${step.interface}: no ${what} appeared within ${step.timeoutMs}ms (waitOnline); interfaces: ${sys.listLinks().map((other) => other.name).join(', ') || 'none'}; is its driver module loaded?`),
  );
  const name = link.name;
  // A name and a MAC match can find the same card; the second would undo the first, so it is refused.
  const earlier = context.network.interfaces.find((record) => record.name === name);
  if (earlier) throw new Error(`network ${step.interface}: ${name} is already configured as ${earlier.label}; one card takes one entry`);
  if (step.mtu !== undefined && link.mtu !== step.mtu) sys.changeLink({ name, mtu: step.mtu });
  // bench/dhcp.ts times "link up" to "lease bound" from this line to the lease's.
  log.debug(`network ${step.interface}: setting ${name} up`);
  sys.changeLink({ name, up: true });
  const left = Math.max(0, step.timeoutMs - (nowMs() - started));
  await waitUntil(
    () => (sys.getLink(name).lowerUp ? true : undefined),
    { timeoutMs: left },
    () => new Error(`network ${step.interface}: ${name} is up but has no carrier after ${step.timeoutMs}ms (waitOnline): is a cable plugged in, or the card wired to a network?`),
  );
  const lease = step.dhcp4 ? await dhcpLease(step, link, Math.max(0, Math.round(step.timeoutMs - (nowMs() - started))), context) : undefined;
  const boundAtMs = nowMs();
  // A lease's MTU applies unless the config sets one.
  if (lease?.mtu !== undefined && step.mtu === undefined && lease.mtu !== sys.getLink(name).mtu) sys.changeLink({ name, mtu: lease.mtu });
  const addresses = [...(lease ? [lease.address] : []), ...step.addresses];
  // A default route the config gives wins over the lease's router: two would collide (the same destination and metric).
  const router = step.routes.some(isIpv4Default) ? undefined : lease?.routers[0];
  const routes = [...(router === undefined ? [] : [{ to: 'default', via: router, metric: undefined }]), ...step.routes];
  for (const address of addresses) {
    if (!added(() => sys.addAddress({ link: name, address }))) log.debug(`network ${step.interface}: ${address} is already on ${name}`);
  }
  for (const route of routes) {
    const spec = { destination: route.to, gateway: route.via, link: name, ...(route.metric === undefined ? {} : { metric: route.metric }) };
    if (!added(() => sys.addRoute(spec))) log.debug(`network ${step.interface}: the route to ${route.to} via ${route.via} is already there`);
  }
  const now = sys.getLink(name);
  context.network.interfaces.push({ label: step.interface, name, mac: now.mac, mtu: now.mtu, addresses, routes, dhcp4: lease && leaseRecord(lease, boundAtMs, router) });
  writeNetworkRecord(context.network, context.networkRecordPath);
}

/** Writes resolv.conf (the config's nameservers, then the leases'; search likewise), records them, and keeps the config's part for renewal. */
export function writeResolvConf(step: StepOf<'resolvConf'>, context: NetworkContext): void {
  const source = { path: context.resolvConfPath ?? '/etc/resolv.conf', nameservers: step.nameservers, search: step.search };
  writeResolvConfFile(source, context.network);
  context.resolvConf = source;
  writeNetworkRecord(context.network, context.networkRecordPath);
}

/** Sets the hostname and records it. */
export function setHostname(step: StepOf<'hostname'>, context: NetworkContext): void {
  context.sys.sethostname(step.hostname);
  context.network.hostname = step.hostname;
  writeNetworkRecord(context.network, context.networkRecordPath);
}


// The lease for the link, asked for on the link itself; the error names the interface as the config does.
async function dhcpLease(step: StepOf<'network'>, link: LinkInfo, timeoutMs: number, context: NetworkContext): Promise<DhcpLease> {
  if (link.mac === undefined) throw new Error(`network ${step.interface}: ${link.name} has no MAC address, which DHCP needs`);
  try {
    const lease = await requestLease({ device: link.name, mac: parseMac(link.mac), timeoutMs, open: (spec) => context.sys.openUdpOnDevice(spec), trace: (line) => context.log.debug(line) });
    context.log.info(`network ${step.interface}: DHCP lease ${lease.address} from ${lease.serverId}${lease.routers[0] ? `, router ${lease.routers[0]}` : ''}${lease.dns.length ? `, DNS ${lease.dns.join(' ')}` : ''}${lease.leaseSeconds === undefined ? '' : ` for ${lease.leaseSeconds}s`}`);
    return lease;
  } catch (error) {
    if (error instanceof Error) error.message = `network ${step.interface}: ${error.message}`;
    throw error;
  }
}

function isIpv4Default(route: { to: string; via: string }): boolean {
  return route.to === '0.0.0.0/0' || (route.to === 'default' && parseIp(route.via)?.family === 4);
}

function findLink(links: readonly LinkInfo[], match: StepOf<'network'>['match']): LinkInfo | undefined {
  return 'name' in match ? links.find((link) => link.name === match.name) : links.find((link) => link.mac?.toLowerCase() === match.mac);
}

// The kernel answers EEXIST when the address or route is already there: what the step wants, so not a failure.
function added(call: () => void): boolean {
  try {
    call();
    return true;
  } catch (error) {
    if (error instanceof SysError && error.code === 'EEXIST') return false;
    throw error;
  }
}
