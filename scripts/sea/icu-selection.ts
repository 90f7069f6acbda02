// Which of ICU's data the executable keeps. Node links all of ICU's data in (31.6 MiB of ICU 78, 28% of the
// executable, unpacked from the initramfs on every boot); an init needs ICU only for what JavaScript asks of it
// in any locale-neutral program: collation and normalisation, time zones, the Intl APIs in English, property and
// break rules, the single-byte text decoders. Left out: the other locales' bundles (every tree: main, collation,
// currency, language, region, unit, zone, number spellout, break iterators), the break iterators' dictionaries
// for Thai, Lao, Khmer, Burmese and CJK words, the transliterators (no JavaScript API reaches them), and the
// converters larger than 16 KiB (the multi-byte Chinese, Japanese and Korean tables; the single-byte ones are at
// most 4.3 KiB). A locale left out falls back to the root locale, as for any locale ICU does not know.

/** The locales whose bundles stay in every tree besides the root's (`root.res`, which names no language): English. */
const keptLocales: ReadonlySet<string> = new Set(['en', 'en_US', 'en_US_POSIX']);

/** The largest converter kept: above it are the multi-byte tables. */
export const largestKeptConverter = 16 * 1024;

// A locale bundle's file name: a language of 2 or 3 letters, then a script, a region (possibly empty) and variants
// (`sr_Latn_BA`, `es_419`, `de__PHONEBOOK`, `en_US_POSIX`), as opposed to data named by what it holds
// (`supplementalData`, `zoneinfo64`, `pool`, `res_index`).
const localeBundle = /^[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|\d{3})?)?(?:_[A-Z0-9]+)*\.res$/;

/** True when the executable keeps `name` (`icudt78l/coll/de.res`), an item of `size` bytes. */
export function keepsIcuItem(name: string, size: number): boolean {
  const parts = name.split('/');
  const file = parts[parts.length - 1]!;
  // The package's own prefix, then a tree (coll, brkitr, ...) or none.
  const tree = parts.length > 2 ? parts[1] : undefined;
  if (tree === 'translit') return false;
  if (file.endsWith('.dict')) return false;
  if (file.endsWith('.cnv')) return size <= largestKeptConverter;
  if (localeBundle.test(file)) return keptLocales.has(file.slice(0, -'.res'.length));
  return true;
}
