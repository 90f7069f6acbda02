// PARTUUID= and PARTLABEL= devices found on real loop disks (GPT and MBR) and mounted, as blkid names them.
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

interface Result {
  gpt: string;
  dos: string;
  partUuid: string;
  partLabel: string;
  signature: string;
  mounted: Record<string, { source?: string; fsType?: string }>;
  blkid: Record<'gpt1' | 'gpt2' | 'dos5', string[]>;
  ueventHasPartUuid: boolean;
}

describe('mounting by partition', () => {
  let result: Result;
  beforeAll(() => {
    result = fixtureResult<Result>(runFixture('partition-mount'));
  });

  it('blkid agrees with the identities the disks were made with', () => {
    expect(result.blkid.gpt1).toContain(`PART_ENTRY_UUID=${result.partUuid}`);
    expect(result.blkid.gpt2).toContain(`PART_ENTRY_NAME=${result.partLabel.replace(/ /g, '\\ ')}`);
    expect(result.blkid.dos5).toContain(`PART_ENTRY_UUID=${result.signature}-05`);
  });

  it('PARTUUID= of a GPT partition (any case) mounts that partition', () => {
    expect(result.mounted['/tmp/by-partuuid']).toEqual({ source: `${result.gpt}p1`, fsType: 'ext4' });
  });

  it('PARTLABEL= mounts the GPT partition of that name', () => {
    expect(result.mounted['/tmp/by-partlabel']).toEqual({ source: `${result.gpt}p2`, fsType: 'ext4' });
  });

  it('PARTUUID= of an MBR logical partition is the disk signature and 05', () => {
    expect(result.mounted['/tmp/by-mbr-partuuid']).toEqual({ source: `${result.dos}p5`, fsType: 'ext4' });
  });
});
