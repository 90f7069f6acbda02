// Writes a file whole or not at all: into a temporary file beside it, then renamed over it, so a failed write leaves the old file.
import { chmodSync, closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

// The file a path names: through symlinks when it exists, so the rename replaces the file, not a link to it.
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Writes `data` to `path` so that readers see the old file or the new one, never a part; throws Node's errors
 * (EISDIR, EACCES, ENOSPC, EFBIG …). A device or FIFO at `path` is written directly, as there is no file to replace.
 */
export function writeFileAtomically(path: string, data: Uint8Array): void {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    writeFileSync(path, data);
    return;
  }
  if (existing?.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
  const target = realTarget(path);
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', existing ? existing.mode & 0o7777 : 0o644);
  try {
    try {
      for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // openSync's mode passes through the umask; the file being replaced keeps its own.
    if (existing) chmodSync(temporary, existing.mode & 0o7777);
    renameSync(temporary, target);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or never fully made: nothing to remove.
    }
    throw error;
  }
}
