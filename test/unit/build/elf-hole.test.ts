// Taking a range of memory out of a real executable's file: a gcc-linked program with a 4 MiB constant table runs
// after the middle of its table left the file, reads zeros there and the table's own bytes around it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileOffsetOf, findSymbols, unmapFromFile } from '../../../scripts/sea/elf-hole';
import { ElfError } from '../../../src/elf/elf-dynamic';

const scratch = mkdtempSync(join(tmpdir(), 'elf-hole-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SIZE = 4 << 20;
const CUT = 100_000;
// Prints the first and last index of the table that do not hold its pattern, and whether its middle half reads as zeros.
const program = `
#include <stdio.h>
#define SIZE ${SIZE}
/* The assembler fills it at once, where a C initialiser of 4 MiB takes gcc seconds. */
__asm__(".section .rodata\\n.globl table\\n.type table, @object\\n.size table, ${SIZE}\\n.balign 64\\ntable:\\n.fill ${SIZE}, 1, 0x5a\\n.previous");
extern const unsigned char table[SIZE];
const unsigned char *volatile seen = table;
static const char after[] = "the constants after the table";
int main(void) {
  const unsigned char *p = seen;
  long first = -1, last = -1, zeros = 1;
  for (long i = 0; i < SIZE; i++) {
    if (p[i] != 0x5a) { if (first < 0) first = i; last = i; }
    if (i >= SIZE / 4 && i < 3 * SIZE / 4 && p[i] != 0) zeros = 0;
  }
  printf("%ld %ld %ld %s\\n", first, last, zeros, after);
  return 0;
}
`;

const compiled = new Map<string, string>();

// The program built with `flags`, once per set of flags.
function compile(flags: readonly string[]): string {
  const name = flags.join('');
  const known = compiled.get(name);
  if (known !== undefined) return known;
  const source = join(scratch, 'table.c');
  const output = join(scratch, name);
  writeFileSync(source, program);
  execFileSync('cc', ['-O1', ...flags, '-o', output, source]);
  compiled.set(name, output);
  return output;
}

function run(path: string): string {
  return execFileSync(path, { encoding: 'utf8' }).trim();
}

describe('unmapFromFile', () => {
  for (const [kind, flags] of [
    ['a position-dependent executable', ['-no-pie']],
    ['a position-independent executable', ['-pie', '-fPIE']],
  ] as const) {
    it(`takes a table's middle out of ${kind}, which still runs and reads zeros there`, () => {
      const path = compile(flags);
      expect(run(path)).toBe('-1 -1 0 the constants after the table');
      const bytes = readFileSync(path);
      const [table] = findSymbols(bytes, (name) => name === 'table');
      expect(table?.size).toBe(SIZE);
      const offset = fileOffsetOf(bytes, table!.address, SIZE);
      expect(bytes.subarray(offset, offset + SIZE).every((byte) => byte === 0x5a)).toBe(true);

      const slim = unmapFromFile(bytes, table!.address + CUT, table!.address + SIZE - CUT);
      const slimPath = `${path}-slim`;
      writeFileSync(slimPath, slim);
      chmodSync(slimPath, 0o755);
      // The table's bytes before the cut are its own; the program header table moved to the cut's first bytes.
      const [first, last, zeros, ...rest] = run(slimPath).split(' ');
      expect(Number(first)).toBe(CUT);
      expect(Number(last)).toBeLessThan(SIZE - CUT);
      expect(Number(last)).toBeGreaterThanOrEqual(SIZE - CUT - 0x10000);
      expect(zeros).toBe('1');
      expect(rest.join(' ')).toBe('the constants after the table');
      expect(statSync(path).size - statSync(slimPath).size).toBeGreaterThanOrEqual(SIZE - 2 * CUT - 3 * 0x10000);
      // readelf agrees the file is whole: every segment inside it.
      const headers = execFileSync('readelf', ['-lW', slimPath], { encoding: 'utf8' });
      expect(headers).not.toMatch(/warning|error/i);
    });
  }

  it('refuses what it cannot do, naming why', () => {
    const bytes = readFileSync(compile(['-no-pie']));
    const [table] = findSymbols(bytes, (name) => name === 'table');
    expect(() => unmapFromFile(new Uint8Array(64), 0, 1)).toThrow(ElfError);
    expect(() => unmapFromFile(bytes, table!.address, table!.address + 0x1000)).toThrow(/no whole 65536-byte page/);
    expect(() => unmapFromFile(bytes, 0x10, 0x20_0000)).toThrow(/no loaded segment holds/);
    expect(() => fileOffsetOf(bytes, 0x10, 1)).toThrow(/no loaded segment holds/);
  });
});
