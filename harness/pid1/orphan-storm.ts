// The orphan-storm program (orphan-storm.c beside this file), compiled into the cache on first use.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths';

const source = join(import.meta.dirname, 'orphan-storm.c');

/** The compiled program's path; rebuilt when the source is newer (gcc comes from scripts/setup/host-packages.sh). */
export function orphanStorm(): string {
  const program = join(cacheDir, 'bench/orphan-storm');
  if (existsSync(program) && statSync(program).mtimeMs >= statSync(source).mtimeMs) return program;
  mkdirSync(join(cacheDir, 'bench'), { recursive: true });
  // Built beside its final name and renamed into place, so a test and a bench starting together never run half a file.
  const building = `${program}.${process.pid}`;
  execFileSync('gcc', ['-O2', '-o', building, source]);
  renameSync(building, program);
  return program;
}
