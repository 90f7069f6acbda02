// Partition tables of real images made by sfdisk: GPT (PARTUUID, PARTLABEL) and MBR (signature-number PARTUUIDs, logical partitions).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guidText, readFromBytes, readPartitionTable } from '../../../src/probe/partition-table';

const dir = mkdtempSync(join(tmpdir(), 'partition-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse image of `size` partitioned by sfdisk from `script`, and what `sfdisk --json` says of it. */
function partitioned(name: string, size: string, script: string): { bytes: Uint8Array; json: SfdiskJson } {
  const path = join(dir, name);
  execFileSync('truncate', ['-s', size, path]);
  execFileSync('sfdisk', ['-q', path], { input: script });
  const json = JSON.parse(execFileSync('sfdisk', ['--json', path], { encoding: 'utf8' })) as { partitiontable: SfdiskJson };
  return { bytes: readFileSync(path), json: json.partitiontable };
}

interface SfdiskJson {
  label: string;
  id: string;
  partitions: { node: string; start: number; size: number; type: string; uuid?: string; name?: string }[];
}

const numberOf = (node: string): number => Number(/(\d+)$/.exec(node)![1]);

describe('readPartitionTable', () => {
  it('reads a GPT as sfdisk wrote it: PARTUUID in lower case, PARTLABEL from the UTF-16 name', () => {
    const script = [
      'label: gpt',
      'label-id: 0B1E9A5C-2F0E-4C7B-9D3A-5E6F7A8B9C0D',
      'size=2M, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=6E0F1F4B-33B5-4C4C-9A3A-0123456789AB, name="EFI system"',
      'size=4M, type=L, uuid=A1B2C3D4-E5F6-4718-8293-A4B5C6D7E8F9, name="root ñ"',
      'type=S',
    ].join('\n');
    const { bytes, json } = partitioned('gpt.img', '16M', script);
    const table = readPartitionTable(readFromBytes(bytes));
    expect(table?.scheme).toBe('gpt');
    expect(table?.id).toBe(json.id.toLowerCase());
    expect(table?.partitions).toEqual(
      json.partitions.map((partition) => ({
        number: numberOf(partition.node),
        uuid: partition.uuid!.toLowerCase(),
        label: partition.name,
        type: partition.type.toLowerCase(),
        start: partition.start,
        sectors: partition.size,
      })),
    );
    expect(table?.partitions.map((partition) => [partition.uuid, partition.label])).toEqual([
      ['6e0f1f4b-33b5-4c4c-9a3a-0123456789ab', 'EFI system'],
      ['a1b2c3d4-e5f6-4718-8293-a4b5c6d7e8f9', 'root ñ'],
      [expect.stringMatching(/^[0-9a-f-]{36}$/), undefined],
    ]);
  });

  it('reads an MBR: PARTUUID is the disk signature and the number in two hex digits, logical partitions from 5', () => {
    const script = ['label: dos', 'label-id: 0x1234abcd', 'size=2M, type=83', 'size=2M, type=82', 'type=5', 'size=2M, type=83', 'size=2M, type=c', ...Array<string>(6).fill('size=1M, type=83')].join('\n');
    const { bytes, json } = partitioned('dos.img', '32M', script);
    const table = readPartitionTable(readFromBytes(bytes));
    expect(table?.scheme).toBe('dos');
    expect(table?.id).toBe('1234abcd');
    expect(table?.partitions.map(({ number, type, start, sectors }) => ({ number, type, start, sectors }))).toEqual(
      json.partitions.map((partition) => ({ number: numberOf(partition.node), type: partition.type.padStart(2, '0'), start: partition.start, sectors: partition.size })),
    );
    expect(table?.partitions.map((partition) => partition.uuid)).toEqual(['1234abcd-01', '1234abcd-02', '1234abcd-03', '1234abcd-05', '1234abcd-06', '1234abcd-07', '1234abcd-08', '1234abcd-09', '1234abcd-0a', '1234abcd-0b', '1234abcd-0c']);
    expect(table?.partitions.every((partition) => partition.label === undefined)).toBe(true);
  });

  it('does not trust a GPT whose header checksum is wrong, nor take its protective MBR for a table', () => {
    const { bytes } = partitioned('torn.img', '8M', 'label: gpt\nsize=2M, type=L\n');
    const torn = Uint8Array.from(bytes);
    torn[512 + 24] = 2;
    expect(readPartitionTable(readFromBytes(torn))).toBeUndefined();
  });

  it('finds nothing on a blank disk, a filesystem or a FAT boot sector', () => {
    expect(readPartitionTable(readFromBytes(new Uint8Array(65536)))).toBeUndefined();
    const path = join(dir, 'fs.ext4');
    execFileSync('truncate', ['-s', '8M', path]);
    execFileSync('mkfs.ext4', ['-q', '-F', path]);
    expect(readPartitionTable(readFromBytes(readFileSync(path)))).toBeUndefined();
    const fat = new Uint8Array(512);
    fat.set([0xeb, 0x3c, 0x90], 0);
    fat.set([0x55, 0xaa], 510);
    fat[0x1be] = 0x29;
    fat[0x1be + 4] = 0x83;
    expect(readPartitionTable(readFromBytes(fat))).toBeUndefined();
  });

  it('writes GUIDs in the mixed-endian text form', () => {
    expect(guidText(Uint8Array.from([0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b]))).toBe('c12a7328-f81f-11d2-ba4b-00a0c93ec93b');
  });
});
