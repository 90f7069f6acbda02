// Appends the executable's assets after its end, where no program header maps them: the loader reads them
// with read(2) once (scripts/sea/loader.cjs), so they never become resident pages of a long-running PID 1,
// as Node's SEA assets would (they live in a mapped segment and stay resident once read).
//
// Layout, at the end of the file: the assets' bytes one after another, then a JSON index
// {"name": [offset, length], ...} (offsets from the start of the file), then the index's length as a
// 32-bit little-endian number, then the 8-byte magic below.
import { appendFileSync, readFileSync, statSync } from 'node:fs';

/** The last bytes of a complete executable; scripts/sea/loader.cjs (plain CommonJS) repeats it. */
export const TRAILER_MAGIC = 'BSASSETS';

/** Appends `assets` (name → file) to `executable`, then their index. */
export function appendAssets(executable: string, assets: Record<string, string>): void {
  let offset = statSync(executable).size;
  const index: Record<string, [number, number]> = {};
  for (const [name, file] of Object.entries(assets)) {
    const bytes = readFileSync(file);
    appendFileSync(executable, bytes);
    index[name] = [offset, bytes.length];
    offset += bytes.length;
  }
  const indexBytes = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(indexBytes.length);
  appendFileSync(executable, Buffer.concat([indexBytes, length, Buffer.from(TRAILER_MAGIC)]));
}
