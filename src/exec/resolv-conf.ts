// /etc/resolv.conf as bootstrap writes it: the config's nameservers and search domains, then the DHCP leases'. Written
// by the resolvConf step, and again by lease renewal when a renewed lease brings other servers or another domain.
import { writeFileSync } from 'node:fs';
import { makeDirectories } from '../sys/fs';
import type { LeaseRecord, NetworkRecord } from './network-record';

/** What the resolvConf step wrote from the config, kept so renewal can write the file again with new leases. */
export interface ResolvConfSource {
  path: string;
  nameservers: readonly string[];
  search: readonly string[];
}

/** The config's servers and domains, then each lease's, without repeats. */
export function resolvConfEntries(source: ResolvConfSource, leases: readonly LeaseRecord[]): { nameservers: string[]; search: string[] } {
  return {
    nameservers: [...new Set([...source.nameservers, ...leases.flatMap((lease) => lease.dns)])],
    search: [...new Set([...source.search, ...leases.flatMap((lease) => (lease.domain ? [lease.domain] : []))])],
  };
}

/** Writes the file from `source` and the record's leases now, and records what it holds. */
export function writeResolvConfFile(source: ResolvConfSource, network: NetworkRecord): void {
  const leases = network.interfaces.flatMap((record) => (record.dhcp4 ? [record.dhcp4] : []));
  const { nameservers, search } = resolvConfEntries(source, leases);
  makeDirectories(source.path.slice(0, source.path.lastIndexOf('/')) || '/');
  writeFileSync(source.path, resolvConfText(nameservers, search));
  network.nameservers = nameservers;
  network.search = search;
}

/** resolv.conf(5) text: one nameserver line per server, one search line. */
export function resolvConfText(nameservers: readonly string[], search: readonly string[]): string {
  const lines = ['# Written by bootstrap from its network config.', ...nameservers.map((server) => `nameserver ${server}`)];
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
