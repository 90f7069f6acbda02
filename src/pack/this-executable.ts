// The executable an image gets as /init by default: this one, when it runs as the single executable.
import type * as SeaModule from 'node:sea';

/** This process's executable when it is bootstrap's single executable; undefined under plain Node (tests, tsx). */
export function thisExecutable(): string | undefined {
  try {
    const sea = process.getBuiltinModule('node:sea') as typeof SeaModule | undefined;
    return sea?.isSea() ? process.execPath : undefined;
  } catch {
    return undefined;
  }
}
