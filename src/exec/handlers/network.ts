// Handlers for `network`, `resolvConf` and `hostname`: links through rtnetlink, /etc/resolv.conf, sethostname(2).
import { writeFileSync } from 'node:fs';
import { makeDirectories } from '../../sys/fs';
import type { LinkInfo } from '../../sys/index';
import { SysError } from '../../sys/sys-error';
import type { StepOf } from '../../plan/step';
import type { BaseContext } from '../context';
import { writeNetworkRecord, type NetworkRecord } from '../network-record';
import { waitUntil } from '../wait-until';

/** What network steps need: the record they add to. */
export interface NetworkContext extends BaseContext {
  network: NetworkRecord;
  /** Where the record is written; /run/bootstrap/network.json unless a test says otherwise. */
  networkRecordPath?: string;
  /** Where resolv.conf is written; /etc/resolv.conf unless a test says otherwise. */
  resolvConfPath?: string;
}

/** Finds the link, waits for its carrier, sets MTU, brings it up, adds addresses and routes, and records them. */
export async function configureInterface(step: StepOf<'network'>, context: NetworkContext): Promise<void> {
  if (step.dhcp4) throw new Error(`network ${step.interface}: dhcp4 is not supported yet; give static addresses`);
  const { sys, log } = context;
  const started = performance.now();
  const what = 'name' in step.match ? `interface ${step.match.name}` : `interface with MAC ${step.match.mac} (for ${step.interface})`;
  const link = await waitUntil(
    () => findLink(sys.listLinks(), step.match),
    { timeoutMs: step.timeoutMs },
    () => new Error(`network ${step.interface}: no ${what} appeared within ${step.timeoutMs}ms (waitOnline); interfaces: ${sys.listLinks().map((other) => other.name).join(', ') || 'none'}; is its driver module loaded?`),
  );
  const name = link.name;
  if (step.mtu !== undefined && link.mtu !== step.mtu) sys.changeLink({ name, mtu: step.mtu });
  sys.changeLink({ name, up: true });
  const left = Math.max(0, step.timeoutMs - (performance.now() - started));
  await waitUntil(
    () => (sys.getLink(name).lowerUp ? true : undefined),
    { timeoutMs: left },
    () => new Error(`network ${step.interface}: ${name} is up but has no carrier after ${step.timeoutMs}ms (waitOnline): is a cable plugged in, or the card wired to a network?`),
  );
  for (const address of step.addresses) {
    if (!added(() => sys.addAddress({ link: name, address }))) log.debug(`network ${step.interface}: ${address} is already on ${name}`);
  }
  for (const route of step.routes) {
    const spec = { destination: route.to, gateway: route.via, link: name, ...(route.metric === undefined ? {} : { metric: route.metric }) };
    if (!added(() => sys.addRoute(spec))) log.debug(`network ${step.interface}: the route to ${route.to} via ${route.via} is already there`);
  }
  const now = sys.getLink(name);
  context.network.interfaces.push({ label: step.interface, name, mac: now.mac, mtu: now.mtu, addresses: [...step.addresses], routes: step.routes.map((route) => ({ ...route })) });
  writeNetworkRecord(context.network, context.networkRecordPath);
}

/** Writes resolv.conf (nameserver lines, then search) and records the servers. */
export function writeResolvConf(step: StepOf<'resolvConf'>, context: NetworkContext): void {
  const path = context.resolvConfPath ?? '/etc/resolv.conf';
  makeDirectories(path.slice(0, path.lastIndexOf('/')) || '/');
  writeFileSync(path, resolvConfText(step.nameservers, step.search));
  context.network.nameservers = [...step.nameservers];
  context.network.search = [...step.search];
  writeNetworkRecord(context.network, context.networkRecordPath);
}

/** Sets the hostname and records it. */
export function setHostname(step: StepOf<'hostname'>, context: NetworkContext): void {
  context.sys.sethostname(step.hostname);
  context.network.hostname = step.hostname;
  writeNetworkRecord(context.network, context.networkRecordPath);
}

/** resolv.conf(5) text: one nameserver line per server, one search line. */
export function resolvConfText(nameservers: readonly string[], search: readonly string[]): string {
  const lines = ['# Written by bootstrap from its network config.', ...nameservers.map((server) => `nameserver ${server}`)];
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  return `${lines.join('\n')}\n`;
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
