// Takes a range of an executable's memory out of its file: the pages stay in the process's address space, read as
// zeros, and no longer take room in the file (or in an initramfs holding it). Nothing moves in memory, so a
// position-dependent executable still finds everything where it was linked; only file offsets change.
//
// The loaded segment holding the range becomes two: a head whose memory runs past its file part to the range's
// end (the kernel maps those pages anonymous and zeroed, as it does a .bss), and a tail that maps the rest of the
// segment from a new, lower file offset. Everything after the tail in the file moves down with it by a multiple of
// the largest alignment involved (64 KiB at least, the largest page an arm64 kernel uses), so every segment keeps
// its offset congruent to its address. The program header table needs one more entry: it moves to the start of the
// range, whose first page stays in the file.
import { ElfError, isElf } from '../../src/elf/elf-dynamic';

const PT_LOAD = 1;
const PT_PHDR = 6;
const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const PROGRAM_HEADER_SIZE = 56;
const SECTION_HEADER_SIZE = 64;
const SYMBOL_SIZE = 24;
const SMALLEST_ALIGNMENT = 0x10000;

interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

interface SectionHeader {
  type: number;
  offset: number;
  size: number;
  link: number;
}

interface ElfLayout {
  view: DataView;
  phoff: number;
  phnum: number;
  shoff: number;
  shnum: number;
  programs: ProgramHeader[];
  sections: SectionHeader[];
}

/** A symbol of the file's symbol table (.symtab, which `strip` removes): its address and size. */
export interface ElfSymbol {
  name: string;
  address: number;
  size: number;
}

/** The symbols of an unstripped ELF64 little-endian file whose names pass `test`. */
export function findSymbols(bytes: Uint8Array, test: (name: string) => boolean): ElfSymbol[] {
  const elf = readLayout(bytes);
  const found: ElfSymbol[] = [];
  for (const table of elf.sections.filter((section) => section.type === SHT_SYMTAB)) {
    const strings = elf.sections[table.link];
    if (strings === undefined) throw new ElfError(`the symbol table names string table ${table.link}, which does not exist`);
    within(bytes, table.offset, table.size, 'the symbol table');
    within(bytes, strings.offset, strings.size, 'the symbol string table');
    for (let at = table.offset; at + SYMBOL_SIZE <= table.offset + table.size; at += SYMBOL_SIZE) {
      const nameAt = strings.offset + elf.view.getUint32(at, true);
      const end = bytes.indexOf(0, nameAt);
      if (nameAt >= strings.offset + strings.size || end < 0) continue;
      const name = Buffer.from(bytes.buffer, bytes.byteOffset + nameAt, end - nameAt).toString('latin1');
      if (test(name)) found.push({ name, address: number(elf.view.getBigUint64(at + 8, true)), size: number(elf.view.getBigUint64(at + 16, true)) });
    }
  }
  return found;
}

/** Where the bytes at `address` lie in the file: the offset in the loaded segment's file part that holds all `size` of them. */
export function fileOffsetOf(bytes: Uint8Array, address: number, size: number): number {
  const segment = segmentHolding(readLayout(bytes), address, address + size);
  return segment.offset + (address - segment.vaddr);
}

/** The file without the memory `start`..`end` (addresses; rounded inwards to the alignment), which then reads as zeros. */
export function unmapFromFile(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const elf = readLayout(bytes);
  const segment = segmentHolding(elf, start, end);
  const alignment = Math.max(SMALLEST_ALIGNMENT, ...elf.programs.filter((p) => p.type === PT_LOAD && p.offset >= segment.offset).map((p) => p.align));
  // The program header table, one entry longer, moves to the range's first bytes, which stay in the file.
  const tableAddress = alignUp(start, 8);
  const tableSize = (elf.phnum + 1) * PROGRAM_HEADER_SIZE;
  const holeStart = alignUp(tableAddress + tableSize, alignment);
  const holeEnd = alignDown(end, alignment);
  if (holeEnd <= holeStart) throw new ElfError(`0x${start.toString(16)}..0x${end.toString(16)} holds no whole ${alignment}-byte page to take out`);
  if (holeEnd === segment.vaddr + segment.filesz) throw new ElfError('the range to take out reaches the end of its segment (only a range inside one is taken out)');
  // Kernels before 5.18 and qemu-user find the table at e_phoff from the first segment's start: the table's
  // segment must map the file as the first one does.
  const first = elf.programs.find((p) => p.type === PT_LOAD);
  if (first !== undefined && first.vaddr - first.offset !== segment.vaddr - segment.offset) {
    throw new ElfError('the segment to cut maps the file at another distance than the first segment (the program header table could not move into it)');
  }
  const headFileEnd = segment.offset + (holeStart - segment.vaddr);
  const tailFileStart = segment.offset + (holeEnd - segment.vaddr);
  const shift = alignDown(tailFileStart - headFileEnd, alignment);
  const moved = (offset: number): number => (offset >= tailFileStart ? offset - shift : offset);
  const inHole = (offset: number, size: number): boolean => offset < tailFileStart && offset + size > headFileEnd;

  for (const program of elf.programs) {
    if (program !== segment && program.type !== PT_PHDR && program.filesz > 0 && inHole(program.offset, program.filesz)) {
      throw new ElfError(`a program header of type ${program.type} at file offset 0x${program.offset.toString(16)} lies in the range taken out`);
    }
  }
  const phoff = segment.offset + (tableAddress - segment.vaddr);
  const programs: ProgramHeader[] = [];
  for (const program of elf.programs) {
    if (program.type === PT_PHDR) {
      programs.push({ ...program, offset: phoff, vaddr: tableAddress, paddr: tableAddress, filesz: tableSize, memsz: tableSize });
    } else if (program !== segment) {
      programs.push({ ...program, offset: moved(program.offset) });
    } else {
      const skipped = holeEnd - segment.vaddr;
      programs.push({ ...segment, filesz: holeStart - segment.vaddr, memsz: skipped });
      programs.push({
        ...segment,
        offset: tailFileStart - shift,
        vaddr: holeEnd,
        paddr: segment.paddr + skipped,
        filesz: segment.filesz - skipped,
        memsz: segment.memsz - skipped,
      });
    }
  }

  const out = new Uint8Array(bytes.length - shift);
  out.set(bytes.subarray(0, headFileEnd), 0);
  out.set(bytes.subarray(tailFileStart), tailFileStart - shift);
  out.fill(0, segment.offset + (start - segment.vaddr), headFileEnd);
  const view = new DataView(out.buffer);
  programs.forEach((program, index) => writeProgram(view, phoff + index * PROGRAM_HEADER_SIZE, program));
  view.setBigUint64(32, BigInt(phoff), true);
  view.setUint16(56, programs.length, true);

  if (elf.shnum > 0) {
    if (inHole(elf.shoff, elf.shnum * SECTION_HEADER_SIZE)) throw new ElfError('the section header table lies in the range taken out');
    const shoff = moved(elf.shoff);
    view.setBigUint64(40, BigInt(shoff), true);
    elf.sections.forEach((section, index) => {
      const at = shoff + index * SECTION_HEADER_SIZE;
      if (section.type === SHT_NOBITS || section.size === 0) return;
      if (inHole(section.offset, section.size)) {
        // The section that held the range (.rodata) keeps its part before it; what follows is described by no section.
        if (section.offset >= headFileEnd) throw new ElfError(`a section at file offset 0x${section.offset.toString(16)} starts in the range taken out`);
        view.setBigUint64(at + 32, BigInt(headFileEnd - section.offset), true);
      } else {
        view.setBigUint64(at + 24, BigInt(moved(section.offset)), true);
      }
    });
  }
  return out;
}

function readLayout(bytes: Uint8Array): ElfLayout {
  if (!isElf(bytes) || bytes.length < 64) throw new ElfError('not an ELF file');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfError('not a 64-bit little-endian ELF file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = number(view.getBigUint64(32, true));
  const shoff = number(view.getBigUint64(40, true));
  const phnum = view.getUint16(56, true);
  const shnum = view.getUint16(60, true);
  if (phnum > 0 && view.getUint16(54, true) !== PROGRAM_HEADER_SIZE) throw new ElfError(`program header entries of ${view.getUint16(54, true)} bytes`);
  if (shnum > 0 && view.getUint16(58, true) !== SECTION_HEADER_SIZE) throw new ElfError(`section header entries of ${view.getUint16(58, true)} bytes`);
  within(bytes, phoff, phnum * PROGRAM_HEADER_SIZE, 'the program header table');
  within(bytes, shoff, shnum * SECTION_HEADER_SIZE, 'the section header table');
  const programs: ProgramHeader[] = [];
  for (let index = 0; index < phnum; index++) {
    const at = phoff + index * PROGRAM_HEADER_SIZE;
    programs.push({
      type: view.getUint32(at, true),
      flags: view.getUint32(at + 4, true),
      offset: number(view.getBigUint64(at + 8, true)),
      vaddr: number(view.getBigUint64(at + 16, true)),
      paddr: number(view.getBigUint64(at + 24, true)),
      filesz: number(view.getBigUint64(at + 32, true)),
      memsz: number(view.getBigUint64(at + 40, true)),
      align: number(view.getBigUint64(at + 48, true)),
    });
  }
  const sections: SectionHeader[] = [];
  for (let index = 0; index < shnum; index++) {
    const at = shoff + index * SECTION_HEADER_SIZE;
    sections.push({
      type: view.getUint32(at + 4, true),
      offset: number(view.getBigUint64(at + 24, true)),
      size: number(view.getBigUint64(at + 32, true)),
      link: view.getUint32(at + 40, true),
    });
  }
  return { view, phoff, phnum, shoff, shnum, programs, sections };
}

function segmentHolding(elf: ElfLayout, start: number, end: number): ProgramHeader {
  const segment = elf.programs.find((p) => p.type === PT_LOAD && p.vaddr <= start && end <= p.vaddr + p.filesz);
  if (segment === undefined) throw new ElfError(`no loaded segment holds 0x${start.toString(16)}..0x${end.toString(16)} in the file`);
  return segment;
}

function writeProgram(view: DataView, at: number, program: ProgramHeader): void {
  view.setUint32(at, program.type, true);
  view.setUint32(at + 4, program.flags, true);
  const fields = [program.offset, program.vaddr, program.paddr, program.filesz, program.memsz, program.align];
  fields.forEach((value, index) => view.setBigUint64(at + 8 + index * 8, BigInt(value), true));
}

function within(bytes: Uint8Array, offset: number, size: number, what: string): void {
  if (offset + size > bytes.length) throw new ElfError(`${what} lies outside the file`);
}

function number(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`a value of ${value} is out of range`);
  return Number(value);
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function alignDown(value: number, alignment: number): number {
  return Math.floor(value / alignment) * alignment;
}
