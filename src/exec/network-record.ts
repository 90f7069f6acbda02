// What the network steps configured, kept as they go and written to /run/bootstrap/network.json after each of them.
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DhcpLease } from '../net/dhcp/lease';
import { makeDirectories } from '../sys/fs';

/** Where a boot records its network: read by people and by programs after the handoff. */
export const NETWORK_RECORD_PATH = '/run/bootstrap/network.json';

/** One configured interface. */
export interface InterfaceRecord {
  /** The name in the config: the kernel's name, or a label of a `match`. */
  label: string;
  /** The kernel's name of the link. */
  name: string;
  mac: string | undefined;
  mtu: number;
  addresses: string[];
  routes: { to: string; via: string; metric: number | undefined }[];
  /** The DHCP lease the interface got, and when (ISO 8601); its renewal is left to whoever runs after bootstrap. */
  dhcp4: (DhcpLease & { acquiredAt: string }) | undefined;
}

/** The whole record. */
export interface NetworkRecord {
  interfaces: InterfaceRecord[];
  nameservers: string[];
  search: string[];
  hostname: string | undefined;
}

/** A record with nothing configured yet. */
export function emptyNetworkRecord(): NetworkRecord {
  return { interfaces: [], nameservers: [], search: [], hostname: undefined };
}

/** Writes the record (as it is now) to `path`, creating /run/bootstrap when needed. */
export function writeNetworkRecord(record: NetworkRecord, path = NETWORK_RECORD_PATH): void {
  makeDirectories(dirname(path));
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
}
