// Finds block devices by path, LABEL= or UUID= by reading their superblocks, as blkid would.
import { existsSync, readdirSync } from 'node:fs';
import { deviceMatches, identifyFileSystem, PROBE_BYTES, type FileSystemIdentity } from '../probe/superblock';
import { readHead } from './read-head';

/** Reads the start of a device and identifies its filesystem; undefined when unreadable or unknown. */
export function probeDevice(path: string): FileSystemIdentity | undefined {
  try {
    return identifyFileSystem(readHead(path, PROBE_BYTES));
  } catch {
    return undefined;
  }
}

/** The device node a spec names right now, or undefined when it is not there (yet). */
export function findBlockDevice(spec: string): { path: string; identity: FileSystemIdentity | undefined } | undefined {
  if (spec.startsWith('/')) return existsSync(spec) ? { path: spec, identity: probeDevice(spec) } : undefined;
  let names: string[];
  try {
    names = readdirSync('/sys/class/block');
  } catch {
    return undefined;
  }
  for (const name of names) {
    const path = `/dev/${name}`;
    const identity = probeDevice(path);
    if (deviceMatches(spec, path, identity)) return { path, identity };
  }
  return undefined;
}
