// ICU's common data package, the "CmnD" format Node links in as `icudtNN_dat`: read into its items and written
// back with fewer. The layout (ICU's ucmndata.h): a data header of `headerSize` bytes (a multiple of 16), then a
// table of contents (a 32-bit count, then per item the offsets of its name and of its bytes, both counted from
// the table's start), then the NUL-terminated names, then the items, each starting on 16 bytes. ICU finds an
// item by a binary search over the names in byte order, and takes an item's length as the distance to the next.

/** One item of a package: `icudt78l/coll/root.res` and its bytes (with the padding up to the next item). */
export interface IcuItem {
  name: string;
  bytes: Uint8Array;
}

/** A package's data header, kept as it is, and its items in table order. */
export interface IcuPackage {
  header: Uint8Array;
  items: IcuItem[];
}

/** Bytes that are not a little-endian ICU common data package, or whose table points outside them. */
export class IcuPackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IcuPackageError';
  }
}

const ALIGNMENT = 16;

/** Reads a package from its bytes; `bytes` ends where the package ends (the last item runs to it). */
export function readIcuPackage(bytes: Uint8Array): IcuPackage {
  if (bytes.length < 32) throw new IcuPackageError(`${bytes.length} bytes are too few for an ICU data header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint16(0, true);
  if (bytes[2] !== 0xda || bytes[3] !== 0x27) throw new IcuPackageError('no ICU data header (magic 0xda27 missing)');
  if (bytes[8] !== 0) throw new IcuPackageError('a big-endian ICU package (only little-endian is read)');
  const format = String.fromCharCode(...bytes.subarray(12, 16));
  if (format !== 'CmnD') throw new IcuPackageError(`ICU data of format ${JSON.stringify(format)}, not a common data package (CmnD)`);
  if (headerSize % ALIGNMENT !== 0 || headerSize + 4 > bytes.length) throw new IcuPackageError(`a header size of ${headerSize} bytes`);

  const toc = headerSize;
  const count = view.getUint32(toc, true);
  if (toc + 4 + count * 8 > bytes.length) throw new IcuPackageError(`a table of ${count} items runs past the package's ${bytes.length} bytes`);
  const items: IcuItem[] = [];
  let previousEnd = toc + 4 + count * 8;
  for (let index = 0; index < count; index++) {
    const name = readName(bytes, toc + view.getUint32(toc + 4 + index * 8, true));
    const start = toc + view.getUint32(toc + 8 + index * 8, true);
    const end = index + 1 < count ? toc + view.getUint32(toc + 16 + index * 8, true) : bytes.length;
    if (start < previousEnd || end < start || end > bytes.length) throw new IcuPackageError(`item ${name} lies outside the package or overlaps another`);
    const previous = items[items.length - 1];
    if (previous !== undefined && !(previous.name < name)) throw new IcuPackageError(`item ${name} is out of order after ${previous.name}`);
    items.push({ name, bytes: bytes.subarray(start, end) });
    previousEnd = end;
  }
  return { header: bytes.subarray(0, headerSize), items };
}

/** Writes a package of `items` (in byte order of their names, as readIcuPackage returns them) after `header`. */
export function writeIcuPackage(pkg: IcuPackage): Uint8Array {
  const names = pkg.items.map((item) => Buffer.from(`${item.name}\0`, 'latin1'));
  const tableSize = 4 + pkg.items.length * 8 + names.reduce((sum, name) => sum + name.length, 0);
  let dataOffset = alignUp(tableSize);
  const dataOffsets = pkg.items.map((item) => {
    const at = dataOffset;
    dataOffset += alignUp(item.bytes.length);
    return at;
  });
  const out = new Uint8Array(pkg.header.length + dataOffset);
  const view = new DataView(out.buffer);
  out.set(pkg.header, 0);
  const toc = pkg.header.length;
  view.setUint32(toc, pkg.items.length, true);
  let nameOffset = 4 + pkg.items.length * 8;
  pkg.items.forEach((item, index) => {
    view.setUint32(toc + 4 + index * 8, nameOffset, true);
    view.setUint32(toc + 8 + index * 8, dataOffsets[index]!, true);
    out.set(names[index]!, toc + nameOffset);
    nameOffset += names[index]!.length;
    out.set(item.bytes, toc + dataOffsets[index]!);
  });
  return out;
}

function readName(bytes: Uint8Array, start: number): string {
  const end = bytes.indexOf(0, start);
  if (start >= bytes.length || end < 0) throw new IcuPackageError(`an item name at ${start} runs past the package`);
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

function alignUp(value: number): number {
  return Math.ceil(value / ALIGNMENT) * ALIGNMENT;
}
