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
  /** The DHCP lease the interface holds, and its times; undefined without dhcp4 and while a lost lease is asked for again. */
  dhcp4: LeaseRecord | undefined;
}

/** A lease as recorded: what the server gave, when, and who renews it. */
export interface LeaseRecord extends DhcpLease {
  /** When the lease was first bound (ISO 8601). */
  acquiredAt: string;
  /** When it was last renewed (ISO 8601), or undefined before the first renewal. */
  renewedAt: string | undefined;
  /** When it runs out unless renewed (ISO 8601); undefined for an infinite lease. */
  expiresAt: string | undefined;
  /** When it was bound or last renewed on bootstrap's monotonic clock (ms since it started): the base of T1, T2 and expiry. */
  boundAtMs: number;
  /** The router of the default route bootstrap added from the lease (the config's own default route wins). */
  routeVia: string | undefined;
  /**
   * Who renews it: bootstrap while it stays PID 1 (supervise, shell, none handoffs), the next init after an exec
   * handoff; undefined until the handoff.
   */
  renewal: 'bootstrap' | 'next init' | undefined;
}

/** The record of a lease bound now, at `boundAtMs` on the monotonic clock. */
export function leaseRecord(lease: DhcpLease, boundAtMs: number, routeVia: string | undefined, wallNow = Date.now()): LeaseRecord {
  const expires = lease.leaseSeconds === undefined || lease.leaseSeconds >= 0xffff_ffff ? undefined : new Date(wallNow + lease.leaseSeconds * 1000).toISOString();
  return { ...lease, acquiredAt: new Date(wallNow).toISOString(), renewedAt: undefined, expiresAt: expires, boundAtMs, routeVia, renewal: undefined };
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
