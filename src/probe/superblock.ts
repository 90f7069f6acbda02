// Identifies a filesystem from the first bytes of a block device: type, label and UUID (what blkid does, for the
// filesystems a root is commonly on).

export interface FileSystemIdentity {
  /** The type to give mount(2). */
  type: string;
  label: string | undefined;
  uuid: string | undefined;
}

/** How many bytes of a device `identifyFileSystem` needs to see every supported superblock. */
export const PROBE_BYTES = 0x10000 + 0x1000;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return new TextDecoder('latin1').decode(bytes.subarray(offset, offset + length));
}

function cString(bytes: Uint8Array, offset: number, length: number): string | undefined {
  const slice = bytes.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  const text = new TextDecoder('utf-8').decode(end >= 0 ? slice.subarray(0, end) : slice).trim();
  return text === '' ? undefined : text;
}

function uuid(bytes: Uint8Array, offset: number): string | undefined {
  const raw = bytes.subarray(offset, offset + 16);
  if (raw.length < 16 || raw.every((byte) => byte === 0)) return undefined;
  const hex = Buffer.from(raw).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function u16le(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

/** The filesystem in `bytes` (the start of a device), or undefined when none is recognised. */
export function identifyFileSystem(bytes: Uint8Array): FileSystemIdentity | undefined {
  // ext2/3/4: superblock at 1024, magic 0xEF53 at +56. The ext4 driver mounts all three.
  if (bytes.length >= 1024 + 136 && u16le(bytes, 1024 + 56) === 0xef53) {
    return { type: 'ext4', label: cString(bytes, 1024 + 120, 16), uuid: uuid(bytes, 1024 + 104) };
  }
  if (bytes.length >= 120 && ascii(bytes, 0, 4) === 'XFSB') {
    return { type: 'xfs', label: cString(bytes, 108, 12), uuid: uuid(bytes, 32) };
  }
  if (bytes.length >= 0x10040 + 8 && ascii(bytes, 0x10040, 8) === '_BHRfS_M') {
    return { type: 'btrfs', label: cString(bytes, 0x1012b, 256), uuid: uuid(bytes, 0x10020) };
  }
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'hsqs') {
    return { type: 'squashfs', label: undefined, uuid: undefined };
  }
  if (bytes.length >= 512 && bytes[510] === 0x55 && bytes[511] === 0xaa) {
    const fat32 = ascii(bytes, 82, 8) === 'FAT32   ';
    const fat16 = ascii(bytes, 54, 5) === 'FAT16' || ascii(bytes, 54, 5) === 'FAT12';
    if (fat32 || fat16) {
      const labelAt = fat32 ? 71 : 43;
      const idAt = fat32 ? 67 : 39;
      const label = cString(bytes, labelAt, 11);
      const id = Buffer.from(bytes.subarray(idAt, idAt + 4)).reverse().toString('hex').toUpperCase();
      return { type: 'vfat', label: label === 'NO NAME' ? undefined : label, uuid: `${id.slice(0, 4)}-${id.slice(4)}` };
    }
  }
  return undefined;
}

/** What a partition table says of a partition: PARTUUID and PARTLABEL (undefined when unknown or absent). */
export interface PartitionIdentity {
  uuid: string | undefined;
  label: string | undefined;
}

/** Whether a device spec (`LABEL=x`, `UUID=y`, `PARTUUID=z`, `PARTLABEL=w`, a path) names device `path`, its filesystem `identity` or its `partition`. */
export function deviceMatches(spec: string, path: string, identity: FileSystemIdentity | undefined, partition?: PartitionIdentity): boolean {
  if (spec.startsWith('LABEL=')) return identity?.label === spec.slice(6);
  if (spec.startsWith('UUID=')) return identity?.uuid !== undefined && identity.uuid.toLowerCase() === spec.slice(5).toLowerCase();
  if (spec.startsWith('PARTUUID=')) return partition?.uuid !== undefined && partition.uuid.toLowerCase() === spec.slice(9).toLowerCase();
  if (spec.startsWith('PARTLABEL=')) return partition?.label === spec.slice(10);
  return spec === path;
}

/** Whether a spec names a partition (PARTUUID=, PARTLABEL=) rather than a filesystem or a path. */
export function namesPartition(spec: string): boolean {
  return spec.startsWith('PARTUUID=') || spec.startsWith('PARTLABEL=');
}
