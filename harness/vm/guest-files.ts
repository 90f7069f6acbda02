// Puts test fixtures (scripts, data files) into a guest root tree at test time.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes `text` at `path` (absolute inside the guest) under `root`, making parents; mode 0644 unless given. */
export function writeGuestFile(root: string, path: string, text: string, mode = 0o644): string {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

/** Writes an executable shell script (the text after a `#!/bin/sh` line) at `path` inside the guest root. */
export function writeGuestScript(root: string, path: string, body: string): string {
  return writeGuestFile(root, path, `#!/bin/sh\n${body}`, 0o755);
}
