// What the executable's slimmed ICU data must still do, run before its program (NODE_OPTIONS=--require) by the build
// and by test/cli/binary.test.ts: a failure prints what differed and exits 1. An ICU call without its data throws
// or aborts the process, which for PID 1 is a kernel panic.
'use strict';
const { TextDecoder } = require('node:util');
const checks = [
  ['CLDR version', () => process.versions.cldr, (value) => /^\d+/.test(value)],
  ['time zone data version', () => process.versions.tz, (value) => /^\d{4}[a-z]$/.test(value)],
  ['collation', () => ['b', 'ä', 'a', 'B'].sort((a, b) => a.localeCompare(b)).join(''), (value) => value === 'aäbB'],
  ['time zone', () => new Intl.DateTimeFormat('en', { timeZone: 'America/New_York', timeStyle: 'long' }).format(0), (value) => value.includes('7:00:00') && value.includes('EST')],
  ['date in English', () => new Intl.DateTimeFormat('en', { timeZone: 'UTC', dateStyle: 'full' }).format(0), (value) => value === 'Thursday, January 1, 1970'],
  ['a locale left out (formats as the root or English)', () => new Intl.DateTimeFormat('ja', { timeZone: 'UTC', dateStyle: 'short' }).format(0), (value) => /70/.test(value)],
  ['likely subtags', () => new Intl.Locale('en').maximize().toString(), (value) => value === 'en-Latn-US'],
  ['time zone names', () => Intl.supportedValuesOf('timeZone'), (value) => value.includes('Europe/Berlin') && value.length > 300],
  ['numbers', () => new Intl.NumberFormat('en').format(1234.5), (value) => value === '1,234.5'],
  ['plural rules', () => new Intl.PluralRules('en').select(1), (value) => value === 'one'],
  ['words', () => [...new Intl.Segmenter('en', { granularity: 'word' }).segment('two words')].length, (value) => value === 3],
  ['normalisation', () => 'ǅ'.normalize('NFKC') + 'e\u0301'.normalize('NFC'), (value) => value === 'Dž\u00e9'],
  ['windows-1252', () => new TextDecoder('latin1').decode(Uint8Array.of(0x80, 0xe4)), (value) => value === '€ä'],
  ['UTF-16', () => new TextDecoder('utf-16le').decode(Uint8Array.of(0x41, 0, 0xac, 0x20)), (value) => value === 'A€'],
  ['Unicode properties', () => /^\p{Lu}\p{Script=Greek}$/u.test('Äλ'), (value) => value === true],
  ['Date', () => new Date(0).toString(), (value) => value.startsWith('Thu Jan 01 1970')],
];
const failed = [];
for (const [name, run, holds] of checks) {
  let value;
  try {
    value = run();
  } catch (error) {
    failed.push(`${name}: threw ${error && error.message}`);
    continue;
  }
  if (!holds(value)) failed.push(`${name}: ${JSON.stringify(value)}`);
}
if (failed.length > 0) {
  process.stderr.write(`ICU check failed:\n  ${failed.join('\n  ')}\n`);
  process.exit(1);
}
process.stderr.write(`ICU check: ${checks.length} passed\n`);
