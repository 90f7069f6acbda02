// Cuts the executable's ICU data down to what it keeps (icu-selection.ts), in place, and takes the pages that held
// the rest out of the file (elf-hole.ts). ICU finds its data by the symbol Node links in (icudtNN_dat), at an address
// that does not move: the smaller package is written where the whole one was, and ICU reads its table as before.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileOffsetOf, findSymbols, unmapFromFile } from './elf-hole';
import { readIcuPackage, writeIcuPackage } from './icu-package';
import { keepsIcuItem } from './icu-selection';

/** What slimIcuData did: the package's size and item count before and after. */
export interface SlimmedIcu {
  bytesBefore: number;
  bytesAfter: number;
  itemsBefore: number;
  itemsAfter: number;
  /** How much smaller the executable became. */
  fileSaved: number;
}

/** Slims the ICU data of `executable` (stripped), found by the symbol table of the `unstrippedNode` it was made from. */
export function slimIcuData(executable: string, unstrippedNode: string): SlimmedIcu {
  const symbols = findSymbols(readFileSync(unstrippedNode), (name) => /^icudt\d+_dat$/.test(name));
  const icu = symbols[0];
  if (icu === undefined || symbols.length > 1) throw new Error(`${unstrippedNode} has ${symbols.length} ICU data symbols (icudtNN_dat), not one`);
  const bytes = readFileSync(executable);
  const offset = fileOffsetOf(bytes, icu.address, icu.size);
  const whole = readIcuPackage(bytes.subarray(offset, offset + icu.size));
  const items = whole.items.filter((item) => keepsIcuItem(item.name, item.bytes.length));
  const kept = writeIcuPackage({ header: whole.header, items });
  bytes.fill(0, offset, offset + icu.size);
  bytes.set(kept, offset);
  const slim = unmapFromFile(bytes, icu.address + kept.length, icu.address + icu.size);
  writeFileSync(executable, slim);
  return {
    bytesBefore: icu.size,
    bytesAfter: kept.length,
    itemsBefore: whole.items.length,
    itemsAfter: items.length,
    fileSaved: bytes.length - slim.length,
  };
}
