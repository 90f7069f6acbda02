// A newc (SVR4 "070701") cpio writer, the archive format the kernel unpacks as an initramfs.

/** One archive member; paths are relative (`dev/console`), owners are always root, and `mode` holds permission bits only. */
export type CpioEntry =
  | { kind: 'directory'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; data: Uint8Array }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'charDevice'; path: string; mode: number; major: number; minor: number };

/** Options of `writeNewc`; one fixed mtime for every entry keeps archives reproducible. */
export interface NewcOptions {
  mtime?: number;
}

const fileType: Record<CpioEntry['kind'], number> = {
  directory: 0o040000,
  file: 0o100000,
  symlink: 0o120000,
  charDevice: 0o020000,
};

/** The name of newc's last entry: the unpacker stops at it. */
export const CPIO_TRAILER = 'TRAILER!!!';
const headerSize = 110;
const maxField = 0xffffffff;

/** The archive as a list of chunks (file data is not copied), ending with the `TRAILER!!!` entry. */
export function writeNewcChunks(entries: readonly CpioEntry[], options: NewcOptions = {}): Uint8Array[] {
  const mtime = options.mtime ?? 0;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (chunk: Uint8Array): void => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  const pad = (): void => {
    // Each header+name and each data part ends on a 4-byte boundary of the archive.
    const padding = (4 - (offset % 4)) % 4;
    if (padding) push(new Uint8Array(padding));
  };
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const name = checkPath(entry.path);
    if (seen.has(name)) throw new Error(`cpio: ${name} is in the archive twice`);
    seen.add(name);
    const data = entry.kind === 'file' ? entry.data : entry.kind === 'symlink' ? Buffer.from(entry.target) : new Uint8Array(0);
    if (entry.kind === 'symlink' && entry.target === '') throw new Error(`cpio: symlink ${name} has an empty target`);
    const permissions = entry.kind === 'symlink' ? 0o777 : entry.mode;
    if (!Number.isInteger(permissions) || permissions < 0 || permissions > 0o7777) {
      throw new Error(`cpio: ${name} has mode ${permissions.toString(8)}, outside 0..07777`);
    }
    if (data.length > maxField) throw new Error(`cpio: ${name} is ${data.length} bytes, over newc's 4 GiB limit`);
    const device = entry.kind === 'charDevice' ? [entry.major, entry.minor] : [0, 0];
    push(header({
      ino: index + 1,
      mode: fileType[entry.kind] | permissions,
      nlink: entry.kind === 'directory' ? 2 : 1,
      mtime,
      size: data.length,
      rdevMajor: device[0]!,
      rdevMinor: device[1]!,
      name,
    }));
    pad();
    if (data.length) push(data);
    pad();
  });
  push(header({ ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0, rdevMajor: 0, rdevMinor: 0, name: CPIO_TRAILER }));
  pad();
  return chunks;
}

/** The archive as one buffer. */
export function writeNewc(entries: readonly CpioEntry[], options: NewcOptions = {}): Buffer {
  return Buffer.concat(writeNewcChunks(entries, options));
}

interface Header {
  ino: number;
  mode: number;
  nlink: number;
  mtime: number;
  size: number;
  rdevMajor: number;
  rdevMinor: number;
  name: string;
}

function header(h: Header): Uint8Array {
  const name = Buffer.from(`${h.name}\0`);
  // Fields in order: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check.
  const fields = [h.ino, h.mode, 0, 0, h.nlink, h.mtime, h.size, 0, 0, h.rdevMajor, h.rdevMinor, name.length, 0];
  const text = `070701${fields.map(hex8).join('')}`;
  const out = Buffer.alloc(headerSize + name.length);
  out.write(text, 0, 'latin1');
  name.copy(out, headerSize);
  return out;
}

function hex8(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > maxField) throw new Error(`cpio: header field ${value} does not fit in 32 bits`);
  return value.toString(16).toUpperCase().padStart(8, '0');
}

function checkPath(path: string): string {
  // The kernel's unpacker creates names as given; a leading slash or `..` would only hide mistakes.
  const name = path.replace(/^\.?\/+/, '');
  if (name === '' || name === CPIO_TRAILER || name.split('/').some((part) => part === '..' || part === '' || part === '.')) {
    throw new Error(`cpio: bad entry path ${JSON.stringify(path)}`);
  }
  return name;
}
