// Reads a text file that may be absent.
import { readFileSync } from 'node:fs';

/** The file's text, or undefined when it cannot be read (absent, unreadable, a directory). */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
