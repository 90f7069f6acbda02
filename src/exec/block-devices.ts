// Finds block devices by path, LABEL=, UUID= (their superblocks), PARTUUID= or PARTLABEL= (their disk's partition table), as blkid would.
import { closeSync, existsSync, openSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readOptional } from '../probe/read-optional';
import { readPartitionTable, type PartitionTable } from '../probe/partition-table';
import { readAtDescriptor } from '../probe/read-at';
import { deviceMatches, identifyFileSystem, namesPartition, PROBE_BYTES, type FileSystemIdentity, type PartitionIdentity } from '../probe/superblock';
import { parseUevent } from '../probe/uevent';
import { readHead } from './read-head';

const SYS_BLOCK = '/sys/class/block';

/** Reads the start of a device and identifies its filesystem; undefined when unreadable or unknown. */
export function probeDevice(path: string): FileSystemIdentity | undefined {
  try {
    return identifyFileSystem(readHead(path, PROBE_BYTES));
  } catch {
    return undefined;
  }
}


/** The partition table of a whole disk (`/dev/sda`), read at the disk's logical sector size; undefined when unreadable or none. */
export function readDiskPartitionTable(path: string, sectorSize = 512): PartitionTable | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return readPartitionTable(readAtDescriptor(fd), sectorSize);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * PARTUUID and PARTLABEL of partition `name` (a directory of /sys/class/block with a `partition` file), or undefined
 * for a whole disk. The kernel's uevent has them when its own parser found the partition (PARTNAME on GPT only); a
 * partition added otherwise (partx, BLKPG) or an older kernel has neither, and then the disk's table is read.
 */
function partitionIdentity(name: string, field: 'uuid' | 'label', tables: Map<string, PartitionTable | undefined>): PartitionIdentity | undefined {
  const number = Number(readOptional(`${SYS_BLOCK}/${name}/partition`)?.trim());
  if (!Number.isInteger(number) || number <= 0) return undefined;
  const uevent = parseUevent(readOptional(`${SYS_BLOCK}/${name}/uevent`) ?? '');
  const fromKernel = { uuid: uevent.get('PARTUUID'), label: uevent.get('PARTNAME') };
  if (fromKernel[field] !== undefined) return fromKernel;
  let disk: string;
  try {
    // /sys/class/block/sda1 → …/block/sda/sda1: a partition's directory sits in its disk's.
    disk = basename(dirname(realpathSync(`${SYS_BLOCK}/${name}`)));
  } catch {
    return undefined;
  }
  if (!tables.has(disk)) {
    const sectorSize = Number(readOptional(`${SYS_BLOCK}/${disk}/queue/logical_block_size`)?.trim()) || 512;
    tables.set(disk, readDiskPartitionTable(deviceNode(disk), sectorSize));
  }
  const partition = tables.get(disk)?.partitions.find((entry) => entry.number === number);
  return partition && { uuid: partition.uuid, label: partition.label };
}

// The node udev or devtmpfs makes for a sysfs name: DEVNAME from its uevent; `cciss!c0d0` is /dev/cciss/c0d0.
function deviceNode(name: string): string {
  return `/dev/${parseUevent(readOptional(`${SYS_BLOCK}/${name}/uevent`) ?? '').get('DEVNAME') ?? name.replace(/!/g, '/')}`;
}

/** The device node a spec names right now, or undefined when it is not there (yet). */
export function findBlockDevice(spec: string): { path: string; identity: FileSystemIdentity | undefined } | undefined {
  if (spec.startsWith('/')) return existsSync(spec) ? { path: spec, identity: probeDevice(spec) } : undefined;
  let names: string[];
  try {
    names = readdirSync(SYS_BLOCK);
  } catch {
    return undefined;
  }
  const field = spec.startsWith('PARTLABEL=') ? 'label' : 'uuid';
  // One read of each disk's table per search, however many of its partitions are looked at.
  const tables = new Map<string, PartitionTable | undefined>();
  for (const name of names) {
    const path = deviceNode(name);
    if (namesPartition(spec)) {
      const partition = partitionIdentity(name, field, tables);
      if (partition && deviceMatches(spec, path, undefined, partition)) return { path, identity: probeDevice(path) };
      continue;
    }
    const identity = probeDevice(path);
    if (deviceMatches(spec, path, identity)) return { path, identity };
  }
  return undefined;
}
