// Reads a disk's partition table (GPT or MBR) from its bytes: each partition's number, PARTUUID and PARTLABEL, as blkid names them.
import { zlib } from '../sys/builtins';
import type { ReadAt } from './read-at';

/** One partition of a table; `number` is the kernel's (/sys/class/block/<partition>/partition). */
export interface Partition {
  number: number;
  /** PARTUUID: the GPT unique partition GUID in lower case, or `SSSSSSSS-NN` on MBR (disk signature, number in hex). */
  uuid: string;
  /** PARTLABEL: the GPT partition name; MBR has none. */
  label: string | undefined;
  /** The GPT type GUID in lower case, or the MBR type byte in hex (`83`). */
  type: string;
  /** First sector and length in sectors of the table's sector size. */
  start: number;
  sectors: number;
}

/** A disk's partition table. */
export interface PartitionTable {
  scheme: 'gpt' | 'dos';
  /** PTUUID: the GPT disk GUID, or the MBR disk signature in 8 hex digits. */
  id: string;
  partitions: Partition[];
}

// The parser reads only what a table points to.
export { readFromBytes, type ReadAt } from './read-at';

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A GUID as text: its first three fields are stored little-endian, the last two big-endian. */
export function guidText(bytes: Uint8Array): string {
  // A copy: Buffer's slice() shares memory, and reverse() would turn the caller's bytes around.
  const le = (from: number, to: number): string => hex(Uint8Array.from(bytes.subarray(from, to)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

// GPT allows any entry count; a real table has 128 entries of 128 bytes. More than this is a corrupt header, not a read.
const MAX_GPT_ENTRY_BYTES = 1 << 20;

function readGpt(read: ReadAt, sectorSize: number): PartitionTable | undefined {
  const header = read(sectorSize, 92);
  if (header.length < 92 || new TextDecoder('latin1').decode(header.subarray(0, 8)) !== 'EFI PART') return undefined;
  const fields = view(header);
  const headerSize = fields.getUint32(12, true);
  if (headerSize < 92 || headerSize > sectorSize) return undefined;
  // The header CRC covers headerSize bytes with the CRC field itself zeroed; a stale or torn header is not used.
  const whole = Uint8Array.from(read(sectorSize, headerSize));
  if (whole.length < headerSize) return undefined;
  whole.fill(0, 16, 20);
  if (zlib().crc32(whole) !== fields.getUint32(16, true) || fields.getBigUint64(24, true) !== 1n) return undefined;
  const entriesLba = Number(fields.getBigUint64(72, true));
  const count = fields.getUint32(80, true);
  const entrySize = fields.getUint32(84, true);
  if (entrySize < 128 || entrySize % 8 !== 0 || count * entrySize > MAX_GPT_ENTRY_BYTES) return undefined;
  const entries = read(entriesLba * sectorSize, count * entrySize);
  if (entries.length < count * entrySize || zlib().crc32(entries) !== fields.getUint32(88, true)) return undefined;
  const partitions: Partition[] = [];
  for (let index = 0; index < count; index++) {
    const entry = entries.subarray(index * entrySize, (index + 1) * entrySize);
    if (entry.subarray(0, 16).every((byte) => byte === 0)) continue;
    const first = view(entry).getBigUint64(32, true);
    const last = view(entry).getBigUint64(40, true);
    const name = new TextDecoder('utf-16le').decode(entry.subarray(56, 128)).split('\0')[0]!;
    partitions.push({ number: index + 1, uuid: guidText(entry.subarray(16, 32)), label: name === '' ? undefined : name, type: guidText(entry.subarray(0, 16)), start: Number(first), sectors: Number(last - first + 1n) });
  }
  return { scheme: 'gpt', id: guidText(header.subarray(56, 72)), partitions };
}

interface MbrEntry {
  boot: number;
  type: number;
  start: number;
  sectors: number;
}

// The four entries of an MBR or EBR sector; undefined without the 55 AA signature.
function mbrEntries(sector: Uint8Array): MbrEntry[] | undefined {
  if (sector.length < 512 || sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const entries: MbrEntry[] = [];
  for (let slot = 0; slot < 4; slot++) {
    const at = 0x1be + slot * 16;
    entries.push({ boot: sector[at]!, type: sector[at + 4]!, start: view(sector).getUint32(at + 8, true), sectors: view(sector).getUint32(at + 12, true) });
  }
  return entries;
}

const isExtended = (type: number): boolean => type === 0x05 || type === 0x0f || type === 0x85;
// Linux stops following a chain of EBRs after this many links without a partition.
const MAX_EBR_LINKS = 100;

function readMbr(read: ReadAt, sectorSize: number, entries: MbrEntry[], signature: string): PartitionTable {
  const uuid = (number: number): string => `${signature}-${number.toString(16).padStart(2, '0')}`;
  const type = (byte: number): string => byte.toString(16).padStart(2, '0');
  const partitions: Partition[] = [];
  for (const [slot, entry] of entries.entries()) {
    if (entry.type === 0 || entry.sectors === 0) continue;
    partitions.push({ number: slot + 1, uuid: uuid(slot + 1), label: undefined, type: type(entry.type), start: entry.start, sectors: entry.sectors });
  }
  // Logical partitions, numbered from 5 as Linux does: a chain of EBRs inside the extended partition; each EBR holds
  // partitions relative to itself and a link to the next EBR relative to the extended partition's start.
  const extended = entries.find((entry) => isExtended(entry.type) && entry.sectors > 0);
  let number = 5;
  let ebr = extended?.start;
  const seen = new Set<number>();
  for (let links = 0; extended && ebr !== undefined && !seen.has(ebr) && links < MAX_EBR_LINKS; links++) {
    seen.add(ebr);
    const sector = mbrEntries(read(ebr * sectorSize, 512));
    if (!sector) break;
    for (const entry of sector) {
      if (entry.type === 0 || entry.sectors === 0 || isExtended(entry.type)) continue;
      partitions.push({ number, uuid: uuid(number), label: undefined, type: type(entry.type), start: ebr + entry.start, sectors: entry.sectors });
      number++;
      links = 0;
    }
    const next = sector.find((entry) => isExtended(entry.type) && entry.sectors > 0);
    ebr = next ? extended.start + next.start : undefined;
  }
  return { scheme: 'dos', id: signature, partitions };
}

/**
 * The partition table of a disk read through `read`, or undefined when there is none. As in Linux, a GPT is read only
 * behind a protective MBR (an entry of type EE) and only when its header at LBA 1 and its entries pass their checksums
 * (the backup header at the disk's end is not tried); otherwise an MBR with sane boot flags is read, logical partitions
 * included.
 */
export function readPartitionTable(read: ReadAt, sectorSize = 512): PartitionTable | undefined {
  const mbr = read(0, 512);
  const entries = mbrEntries(mbr);
  if (!entries) return undefined;
  if (entries.some((entry) => entry.type === 0xee)) return readGpt(read, sectorSize);
  // 55 AA also ends a FAT boot sector: boot flags other than 0 and 0x80 mean it is not a partition table.
  if (entries.some((entry) => entry.boot !== 0 && entry.boot !== 0x80) || entries.every((entry) => entry.type === 0)) return undefined;
  return readMbr(read, sectorSize, entries, view(mbr).getUint32(0x1b8, true).toString(16).padStart(8, '0'));
}

