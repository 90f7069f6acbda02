// Keeps the DHCP leases of the boot while bootstrap stays PID 1 (supervise, shell, none handoffs): RFC 2131 4.4.5's
// RENEWING at T1, REBINDING at T2, and at expiry the address and its route removed and DISCOVER again.
import { extendLease, requestLease, sleepUntil, type ExtendResult } from '../net/dhcp/client';
import type { DhcpLease } from '../net/dhcp/lease';
import { leaseTimers, retransmitAt, secondsLeft, type LeaseTimers } from '../net/dhcp/lease-timers';
import type { Logger } from '../log/log';
import { parseMac } from '../sys/netlink/ip-address';
import type { Sys } from '../sys/index';
import { SysError } from '../sys/sys-error';
import { resolvConfEntries, writeResolvConfFile, type ResolvConfSource } from './resolv-conf';
import { leaseRecord, writeNetworkRecord, type InterfaceRecord, type LeaseRecord, type NetworkRecord } from './network-record';
import { nowMs } from '../clock';

/** After a lost lease, how long one DISCOVER round may take before it starts over (it backs off within: 1, 2, 4 … 16 s). */
const DISCOVER_ROUND_MS = 60_000;
/** After an unexpected error (netlink refusing a change, say), how long renewal waits before it takes up the lease again. */
const AFTER_ERROR_MS = 10_000;
/** Between two DISCOVER rounds that got nothing: doubles from 4 s to 5 min. */
const FIRST_ROUND_PAUSE_MS = 4000;
const MAX_ROUND_PAUSE_MS = 300_000;

/** What renewal works with. */
export interface RenewalContext {
  sys: Sys;
  log: Logger;
  network: NetworkRecord;
  networkRecordPath?: string;
  /** What the resolvConf step wrote from the config; without it (no resolvConf step) renewal leaves resolv.conf alone. */
  resolvConf?: ResolvConfSource;
  now?: () => number;
}

/** The running renewals; `stop` ends them all (at shutdown) and resolves once every one has let go of its socket. */
export interface LeaseRenewal {
  readonly interfaces: readonly string[];
  stop(): Promise<void>;
}

/** Starts renewing every lease the network steps recorded; errors are logged, never thrown. */
export function renewLeases(context: RenewalContext): LeaseRenewal {
  const controller = new AbortController();
  const records = context.network.interfaces.filter((record) => record.dhcp4 !== undefined);
  const running = records.map((record) => {
    record.dhcp4!.renewal = 'bootstrap';
    return keepLeaseDespiteErrors(record, context, controller.signal);
  });
  if (records.length > 0) write(context);
  return {
    interfaces: records.map((record) => record.name),
    async stop() {
      controller.abort();
      await Promise.all(running);
    },
  };
}

/** For an exec handoff: the leases stay as they are, and the record says the next init renews them. */
export function passLeasesOn(context: RenewalContext): string[] {
  const names: string[] = [];
  for (const record of context.network.interfaces) {
    if (record.dhcp4 === undefined) continue;
    record.dhcp4.renewal = 'next init';
    names.push(record.name);
  }
  if (names.length > 0) write(context);
  return names;
}

// An error never ends renewal (nor reaches PID 1's event loop): it is logged, and after a pause renewal takes up
// the lease the record holds, or asks for a new one.
async function keepLeaseDespiteErrors(record: InterfaceRecord, context: RenewalContext, stop: AbortSignal): Promise<void> {
  const now = context.now ?? nowMs;
  while (!stop.aborted) {
    try {
      await keepLease(record, context, stop);
      return;
    } catch (error) {
      context.log.error(`DHCP renewal on ${record.name}: ${error instanceof Error ? error.message : String(error)}; taking it up again in ${AFTER_ERROR_MS / 1000}s`);
      await sleepUntil(now() + AFTER_ERROR_MS, now, stop);
    }
  }
}

// One interface's lease, for as long as PID 1 runs: wait for T1, extend, apply; after a NAK or expiry, start over.
async function keepLease(record: InterfaceRecord, context: RenewalContext, stop: AbortSignal): Promise<void> {
  const { log } = context;
  const now = context.now ?? nowMs;
  let lease = record.dhcp4 ?? (await discoverAgain(record, context, stop));
  while (lease !== undefined) {
    const timers = leaseTimers(lease, lease.boundAtMs);
    if (timers === undefined) {
      log.info(`DHCP lease ${lease.address} on ${record.name} is infinite: nothing to renew`);
      return;
    }
    refreshLifetime(record, lease, timers, context);
    log.debug(`DHCP lease ${lease.address} on ${record.name}: renewing in ${secondsLeft(now(), timers.renewAt)}s, rebinding in ${secondsLeft(now(), timers.rebindAt)}s, expiring in ${secondsLeft(now(), timers.expireAt)}s`);
    await sleepUntil(timers.renewAt, now, stop);
    if (stop.aborted) return;
    const result = await extend(record, lease, timers, context, stop);
    if (stop.aborted) return;
    if (result.answer === 'ack') {
      lease = applyRenewal(record, lease, result.lease, now(), context);
      continue;
    }
    if (result.answer === 'nak') log.warn(`DHCP on ${record.name}: ${result.serverId} refused to extend ${lease.address} (DHCPNAK): the address goes`);
    else log.warn(`DHCP lease ${lease.address} on ${record.name} expired without an answer from any server: the address goes`);
    dropLease(record, lease, context);
    lease = await discoverAgain(record, context, stop);
  }
}

// RENEWING until T2 (unicast to the server that gave the lease), then REBINDING until expiry (broadcast).
async function extend(record: InterfaceRecord, lease: LeaseRecord, timers: LeaseTimers, context: RenewalContext, stop: AbortSignal): Promise<ExtendResult> {
  const { log } = context;
  const common = { device: record.name, mac: macOf(record), address: lease.address.split('/')[0]!, open: (spec: { device: string; port: number }) => context.sys.openUdpOnDevice(spec), stop, retransmitAt, trace: (line: string) => log.debug(line), ...(context.now ? { now: context.now } : {}) };
  log.info(`DHCP on ${record.name}: renewing ${lease.address} with ${lease.serverId} (T1)`);
  const renewed = await extendLease({ ...common, to: { server: lease.serverId }, untilMs: timers.rebindAt });
  if (renewed.answer !== 'none' || stop.aborted) return renewed;
  log.info(`DHCP on ${record.name}: no answer from ${lease.serverId} by T2: rebinding ${lease.address} with any server (broadcast)`);
  return extendLease({ ...common, to: 'broadcast', untilMs: timers.expireAt });
}

// The ACK's lease replaces the old: a new address or router is applied, the record rewritten.
function applyRenewal(record: InterfaceRecord, old: LeaseRecord, lease: DhcpLease, boundAtMs: number, context: RenewalContext): LeaseRecord {
  const { log } = context;
  if (lease.address !== old.address || lease.routers[0] !== old.routers[0]) {
    log.info(`DHCP on ${record.name}: the renewed lease changes ${old.address} via ${old.routers[0] ?? 'no router'} to ${lease.address} via ${lease.routers[0] ?? 'no router'}`);
    dropLease(record, old, context, 'quiet');
    return bind(record, lease, boundAtMs, context, old);
  }
  const renewed: LeaseRecord = { ...leaseRecord(lease, boundAtMs, old.routeVia), acquiredAt: old.acquiredAt, renewedAt: new Date().toISOString(), renewal: 'bootstrap' };
  record.dhcp4 = renewed;
  log.info(`DHCP on ${record.name}: lease ${lease.address} renewed by ${lease.serverId}${lease.leaseSeconds === undefined ? '' : ` for ${lease.leaseSeconds}s`}`);
  write(context);
  return renewed;
}

// A new lease on the interface: its address (with lifetimes, set by the caller's next refresh) and its router's default route.
function bind(record: InterfaceRecord, lease: DhcpLease, boundAtMs: number, context: RenewalContext, previous?: LeaseRecord): LeaseRecord {
  const { sys, log } = context;
  // The config's own IPv4 default route was kept when the lease came first; a lease never replaces it. (The old
  // lease's route is off the record by now.)
  const configRoute = record.routes.some((route) => route.to === 'default' && route.via.includes('.'));
  const via = configRoute ? undefined : lease.routers[0];
  sys.replaceAddress({ link: record.name, address: lease.address });
  if (via !== undefined) tolerate(() => sys.addRoute({ destination: 'default', gateway: via, link: record.name }), 'EEXIST');
  record.addresses = [lease.address, ...record.addresses.filter((address) => address !== previous?.address)];
  record.routes = [...(via === undefined ? [] : [{ to: 'default', via, metric: undefined }]), ...record.routes];
  const bound: LeaseRecord = { ...leaseRecord(lease, boundAtMs, via), ...(previous ? { acquiredAt: previous.acquiredAt, renewedAt: new Date().toISOString() } : {}), renewal: 'bootstrap' };
  record.dhcp4 = bound;
  log.info(`DHCP on ${record.name}: bound ${lease.address} from ${lease.serverId}${via ? `, router ${via}` : ''}${lease.leaseSeconds === undefined ? '' : ` for ${lease.leaseSeconds}s`}`);
  write(context);
  return bound;
}

// The address's valid and preferred lifetimes follow the lease, so the kernel drops it too should PID 1 not.
function refreshLifetime(record: InterfaceRecord, lease: LeaseRecord, timers: LeaseTimers, context: RenewalContext): void {
  const now = (context.now ?? nowMs)();
  const valid = secondsLeft(now, timers.expireAt);
  try {
    context.sys.replaceAddress({ link: record.name, address: lease.address, lifetime: { validSeconds: valid, preferredSeconds: valid } });
  } catch (error) {
    context.log.warn(`DHCP on ${record.name}: setting the lifetime of ${lease.address} to ${valid}s: ${(error as Error).message}`);
  }
}

// The lease is gone: its address and the default route through its router come off the link, and the record says so.
function dropLease(record: InterfaceRecord, lease: LeaseRecord, context: RenewalContext, quiet?: 'quiet'): void {
  const { sys, log } = context;
  if (lease.routeVia !== undefined) tolerate(() => sys.deleteRoute({ destination: 'default', gateway: lease.routeVia, link: record.name }), 'ESRCH');
  tolerate(() => sys.deleteAddress({ link: record.name, address: lease.address }), 'EADDRNOTAVAIL');
  record.addresses = record.addresses.filter((address) => address !== lease.address);
  record.routes = record.routes.filter((route) => !(route.to === 'default' && route.via === lease.routeVia));
  record.dhcp4 = undefined;
  if (quiet === undefined) log.warn(`DHCP on ${record.name}: removed ${lease.address}${lease.routeVia ? ` and the default route via ${lease.routeVia}` : ''}; asking for a new lease (DHCPDISCOVER)`);
  write(context);
}

// DISCOVER rounds of a minute, with pauses that double, until a lease comes or PID 1 stops.
async function discoverAgain(record: InterfaceRecord, context: RenewalContext, stop: AbortSignal): Promise<LeaseRecord | undefined> {
  const { log } = context;
  const now = context.now ?? nowMs;
  let pause = FIRST_ROUND_PAUSE_MS;
  while (!stop.aborted) {
    try {
      const lease = await requestLease({ device: record.name, mac: macOf(record), timeoutMs: DISCOVER_ROUND_MS, open: (spec: { device: string; port: number }) => context.sys.openUdpOnDevice(spec), background: stop, trace: (line) => log.debug(line), ...(context.now ? { now: context.now } : {}) });
      if (stop.aborted) return undefined;
      return bind(record, lease, now(), context);
    } catch (error) {
      if (stop.aborted) return undefined;
      log.warn(`DHCP on ${record.name}: ${(error as Error).message}; trying again in ${pause / 1000}s`);
    }
    await sleepUntil(now() + pause, now, stop);
    pause = Math.min(pause * 2, MAX_ROUND_PAUSE_MS);
  }
  return undefined;
}

function macOf(record: InterfaceRecord): Uint8Array {
  if (record.mac === undefined) throw new Error(`${record.name} has no MAC address, which DHCP needs`);
  return parseMac(record.mac);
}

// A netlink change whose wanted state is already there (EEXIST on add, ESRCH/EADDRNOTAVAIL on delete) is no failure.
function tolerate(call: () => void, code: string): void {
  try {
    call();
  } catch (error) {
    if (!(error instanceof SysError && error.code === code)) throw error;
  }
}

// The record after a lease changed; resolv.conf too when the leases now name other servers or domains than it holds.
function write(context: RenewalContext): void {
  const source = context.resolvConf;
  if (source !== undefined) {
    const leases = context.network.interfaces.flatMap((record) => (record.dhcp4 ? [record.dhcp4] : []));
    const { nameservers, search } = resolvConfEntries(source, leases);
    if (nameservers.join(' ') !== context.network.nameservers.join(' ') || search.join(' ') !== context.network.search.join(' ')) {
      try {
        writeResolvConfFile(source, context.network);
        context.log.info(`DHCP renewal: ${source.path} now names ${nameservers.join(' ') || 'no nameserver'}${search.length > 0 ? `, search ${search.join(' ')}` : ''}`);
      } catch (error) {
        context.log.warn(`DHCP renewal: writing ${source.path}: ${(error as Error).message}`);
      }
    }
  }
  try {
    writeNetworkRecord(context.network, context.networkRecordPath);
  } catch (error) {
    context.log.warn(`DHCP renewal: writing the network record: ${(error as Error).message}`);
  }
}
