// PT_INTERP of an ELF file, found with three small reads (header, program headers, the path) instead of the whole
// file: what execve needs besides the program itself. ELF32 and ELF64, either byte order, as the kernel takes them.
import type { ReadAt } from '../probe/read-at';
import { ElfError, isElf } from './elf-dynamic';

const PT_INTERP = 3;
/** The longest interpreter path taken: PATH_MAX, as the kernel's own bound on it. */
const MAX_INTERPRETER_BYTES = 4096;
/** Far more program headers than any real file has: a bound on what a damaged header makes us read. */
const MAX_PROGRAM_HEADER_BYTES = 1 << 20;

/** The program's interpreter (e.g. `/lib64/ld-linux-x86-64.so.2`); undefined for a static executable. */
export function readElfInterpreter(read: ReadAt): string | undefined {
  const ident = read(0, 64);
  if (!isElf(ident)) throw new ElfError('not an ELF file (bad magic)');
  const elfClass = ident[4];
  if (elfClass !== 1 && elfClass !== 2) throw new ElfError(`unknown ELF class ${ident[4]}`);
  if (ident[5] !== 1 && ident[5] !== 2) throw new ElfError(`unknown ELF byte order ${ident[5]}`);
  const little = ident[5] === 1;
  const wide = elfClass === 2;
  if (ident.length < (wide ? 64 : 52)) throw new ElfError('truncated ELF header');
  const header = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
  const phoff = wide ? safeNumber(header.getBigUint64(32, little)) : header.getUint32(28, little);
  const phentsize = header.getUint16(wide ? 54 : 42, little);
  const phnum = header.getUint16(wide ? 56 : 44, little);
  if (phnum === 0) return undefined;
  if (phentsize < (wide ? 56 : 32)) throw new ElfError(`program header entries of ${phentsize} bytes are too small`);
  if (phnum * phentsize > MAX_PROGRAM_HEADER_BYTES) throw new ElfError(`${phnum} program headers of ${phentsize} bytes are more than any program has`);
  const table = read(phoff, phnum * phentsize);
  if (table.length < phnum * phentsize) throw new ElfError('program headers lie outside the file');
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let at = 0; at < table.length; at += phentsize) {
    if (view.getUint32(at, little) !== PT_INTERP) continue;
    const offset = wide ? safeNumber(view.getBigUint64(at + 8, little)) : view.getUint32(at + 4, little);
    const size = wide ? safeNumber(view.getBigUint64(at + 32, little)) : view.getUint32(at + 16, little);
    if (size === 0 || size > MAX_INTERPRETER_BYTES) throw new ElfError(`an interpreter path of ${size} bytes`);
    const path = read(offset, size);
    if (path.length < size) throw new ElfError('the interpreter path lies outside the file');
    const nul = path.indexOf(0);
    if (nul <= 0) throw new ElfError(nul === 0 ? 'the interpreter path is empty' : 'the interpreter path is not terminated');
    return Buffer.from(path.buffer, path.byteOffset, nul).toString('utf8');
  }
  return undefined;
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`offset ${value} is out of range`);
  return Number(value);
}
