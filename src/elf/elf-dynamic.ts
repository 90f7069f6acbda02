// What an ELF64 little-endian file asks of the dynamic loader: PT_INTERP, DT_NEEDED, DT_RUNPATH/DT_RPATH, DT_SONAME.

/** The loader-facing facts of one ELF file. */
export interface ElfDynamicInfo {
  /** e_machine (62 is x86_64); the loader skips libraries built for another machine. */
  machine: number;
  /** PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; undefined for libraries and static executables. */
  interpreter: string | undefined;
  needed: string[];
  /** DT_RUNPATH entries, split on `:`, `$ORIGIN` left as written. */
  runpath: string[];
  /** DT_RPATH entries; the loader ignores them when DT_RUNPATH is present. */
  rpath: string[];
  soname: string | undefined;
}

/** A file that is not an ELF64 little-endian object, or whose headers point outside it. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

/** True when the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Reads the loader-facing facts of an ELF64 little-endian file from its bytes. */
export function readElfDynamicInfo(bytes: Uint8Array): ElfDynamicInfo {
  if (!isElf(bytes)) throw new ElfError('not an ELF file (bad magic)');
  if (bytes.length < 64) throw new ElfError('truncated ELF header');
  if (bytes[4] !== 2) throw new ElfError(`only 64-bit ELF is supported (EI_CLASS ${bytes[4]})`);
  if (bytes[5] !== 1) throw new ElfError(`only little-endian ELF is supported (EI_DATA ${bytes[5]})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  const phoff = offset(view.getBigUint64(32, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  if (phnum > 0 && phentsize < 56) throw new ElfError(`program header entries of ${phentsize} bytes are too small`);
  if (phoff + phnum * phentsize > bytes.length) throw new ElfError('program headers lie outside the file');

  const loads: { vaddr: bigint; offset: bigint; filesz: bigint }[] = [];
  let interpreter: string | undefined;
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const type = view.getUint32(at, true);
    const fileOffset = view.getBigUint64(at + 8, true);
    const vaddr = view.getBigUint64(at + 16, true);
    const filesz = view.getBigUint64(at + 32, true);
    if (type === PT_LOAD) loads.push({ vaddr, offset: fileOffset, filesz });
    if (type === PT_INTERP) interpreter = cString(bytes, offset(fileOffset), offset(fileOffset + filesz));
    if (type === PT_DYNAMIC) dynamic = { offset: offset(fileOffset), size: offset(filesz) };
  }
  const info: ElfDynamicInfo = { machine, interpreter, needed: [], runpath: [], rpath: [], soname: undefined };
  if (!dynamic) return info;
  if (dynamic.offset + dynamic.size > bytes.length) throw new ElfError('the dynamic section lies outside the file');

  const entries: [bigint, bigint][] = [];
  for (let at = dynamic.offset; at + 16 <= dynamic.offset + dynamic.size; at += 16) {
    const tag = view.getBigInt64(at, true);
    if (tag === DT_NULL) break;
    entries.push([tag, view.getBigUint64(at + 8, true)]);
  }
  const strtabAddress = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
  if (strtabAddress === undefined) throw new ElfError('the dynamic section has no DT_STRTAB');
  const strsz = entries.find(([tag]) => tag === DT_STRSZ)?.[1] ?? 0n;
  // DT_STRTAB is a virtual address; the PT_LOAD segment that holds it says where that is in the file.
  const segment = loads.find((load) => strtabAddress >= load.vaddr && strtabAddress < load.vaddr + load.filesz);
  if (!segment) throw new ElfError('DT_STRTAB is not inside any loaded segment');
  const strtab = offset(strtabAddress - segment.vaddr + segment.offset);
  const strtabEnd = Math.min(bytes.length, strtab + offset(strsz));
  const string = (value: bigint): string => cString(bytes, strtab + offset(value), strtabEnd);

  for (const [tag, value] of entries) {
    if (tag === DT_NEEDED) info.needed.push(string(value));
    else if (tag === DT_RUNPATH) info.runpath.push(...splitPath(string(value)));
    else if (tag === DT_RPATH) info.rpath.push(...splitPath(string(value)));
    else if (tag === DT_SONAME) info.soname = string(value);
  }
  return info;
}

function splitPath(value: string): string[] {
  return value.split(':').filter((part) => part !== '');
}

function offset(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`offset ${value} is out of range`);
  return Number(value);
}

function cString(bytes: Uint8Array, start: number, end: number): string {
  if (start >= end || start >= bytes.length) throw new ElfError(`string at offset ${start} lies outside its table`);
  const nul = bytes.indexOf(0, start);
  if (nul < 0 || nul >= end) throw new ElfError(`string at offset ${start} is not terminated`);
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, nul - start).toString('utf8');
}
