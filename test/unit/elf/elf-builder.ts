// Builds minimal ELF64 little-endian files with a PT_INTERP and a dynamic section, for fake library trees.

/** What the built file asks of the loader. */
export interface ElfSpec {
  interpreter?: string;
  needed?: string[];
  runpath?: string;
  rpath?: string;
  soname?: string;
  machine?: number;
  /** Virtual address of the single PT_LOAD, so DT_STRTAB mapping is exercised with a non-zero base. */
  base?: number;
}

/** A file the real loader would never run, but whose headers `readelf -d -l` reads like any other. */
export function buildElf(spec: ElfSpec): Buffer {
  const base = BigInt(spec.base ?? 0x400000);
  const strings: string[] = [];
  const strtab: number[] = [0];
  const stringOffset = (value: string): number => {
    const at = strtab.length;
    strtab.push(...Buffer.from(value), 0);
    strings.push(value);
    return at;
  };
  const dynamic: [bigint, number][] = [];
  for (const name of spec.needed ?? []) dynamic.push([1n, stringOffset(name)]);
  if (spec.soname !== undefined) dynamic.push([14n, stringOffset(spec.soname)]);
  if (spec.rpath !== undefined) dynamic.push([15n, stringOffset(spec.rpath)]);
  if (spec.runpath !== undefined) dynamic.push([29n, stringOffset(spec.runpath)]);

  const headers = spec.interpreter === undefined ? 2 : 3;
  const interpOffset = 64 + headers * 56;
  const interp = spec.interpreter === undefined ? Buffer.alloc(0) : Buffer.from(`${spec.interpreter}\0`);
  const strtabOffset = interpOffset + interp.length;
  const dynamicOffset = align8(strtabOffset + strtab.length);
  const dynamicEntries = [...dynamic.map(([tag, value]) => [tag, BigInt(value)] as const), [5n, base + BigInt(strtabOffset)] as const, [10n, BigInt(strtab.length)] as const, [0n, 0n] as const];
  const size = dynamicOffset + dynamicEntries.length * 16;
  const out = Buffer.alloc(size);

  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  out.writeUInt16LE(3, 16); // ET_DYN
  out.writeUInt16LE(spec.machine ?? 62, 18);
  out.writeUInt32LE(1, 20);
  out.writeBigUInt64LE(64n, 32); // e_phoff
  out.writeUInt16LE(64, 52);
  out.writeUInt16LE(56, 54);
  out.writeUInt16LE(headers, 56);
  const program = (index: number, type: number, offset: number, length: number): void => {
    const at = 64 + index * 56;
    out.writeUInt32LE(type, at);
    out.writeUInt32LE(4, at + 4);
    out.writeBigUInt64LE(BigInt(offset), at + 8);
    out.writeBigUInt64LE(base + BigInt(offset), at + 16);
    out.writeBigUInt64LE(base + BigInt(offset), at + 24);
    out.writeBigUInt64LE(BigInt(length), at + 32);
    out.writeBigUInt64LE(BigInt(length), at + 40);
    out.writeBigUInt64LE(8n, at + 48);
  };
  program(0, 1, 0, size);
  program(1, 2, dynamicOffset, dynamicEntries.length * 16);
  if (spec.interpreter !== undefined) program(2, 3, interpOffset, interp.length);
  interp.copy(out, interpOffset);
  Buffer.from(strtab).copy(out, strtabOffset);
  dynamicEntries.forEach(([tag, value], i) => {
    out.writeBigInt64LE(tag, dynamicOffset + i * 16);
    out.writeBigUInt64LE(value, dynamicOffset + i * 16 + 8);
  });
  return out;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
