// Scalars no field of a config may hold, whatever its schema says: numbers that are not finite or not exact,
// and strings with a NUL character.
import type { Finding } from './diagnostic';
import { label } from './finding-words';

/** Calls `visit` for every key and scalar value of parsed YAML data with its path (a key's path ends in the key). */
function forEachScalar(data: unknown, visit: (path: readonly (string | number)[], value: unknown, at: 'key' | 'value') => void): void {
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, [...path, index]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        visit([...path, key], key, 'key');
        walk(child, [...path, key]);
      }
    } else {
      visit(path, value, 'value');
    }
  };
  walk(data, []);
}

// Fields whose text is bytes written to a file or a pipe, where a NUL is data: (list, field) of `tmpfiles` and `hooks` items.
const bytesFields: readonly (readonly [string, string])[] = [
  ['tmpfiles', 'content'],
  ['hooks', 'input'],
];

function holdsBytes(path: readonly (string | number)[]): boolean {
  return bytesFields.some(([list, field]) => path.at(-1) === field && typeof path.at(-2) === 'number' && path.at(-3) === list);
}

// Every other string reaches a path, an argv, an environment or a kernel call as a C string, which ends at the NUL:
// the config would validate and then every spawn or syscall with it would fail.
function nulFinding(path: readonly (string | number)[], text: string, at: 'key' | 'value'): Finding | undefined {
  if (!text.includes('\0') || (at === 'value' && holdsBytes(path))) return undefined;
  const what = at === 'key' ? `the name ${JSON.stringify(text)} in ${label(path.slice(0, -1))}` : label(path);
  return { code: 'invalid-value', severity: 'error', path: [...path], at, message: `${what} contains a NUL character (\\0): no path, argument or environment variable can hold one` };
}

// .nan, .inf and 1e400 are numbers to YAML; as a factor or an argument they only make timers fire at once or say "Infinity".
function numberFinding(path: readonly (string | number)[], value: number): Finding | undefined {
  if (Number.isNaN(value)) return { code: 'invalid-value', severity: 'error', path: [...path], message: `${label(path)} must be a finite number, not .nan` };
  if (!Number.isFinite(value)) {
    return { code: 'invalid-value', severity: 'error', path: [...path], message: `${label(path)} must be a finite number, not ${value < 0 ? '-' : ''}.inf (a number beyond ±1.8e308 reads as infinite)` };
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { code: 'invalid-value', severity: 'error', path: [...path], message: `${label(path)} is too large to be exact as a number (it reads as ${String(value)}); quote it to keep every digit` };
  }
  return undefined;
}

/** Findings for every scalar of the data no field may hold; runs on any data, valid for the schema or not. */
export function valueFindings(data: unknown): Finding[] {
  const findings: Finding[] = [];
  forEachScalar(data, (path, value, at) => {
    const finding = typeof value === 'number' ? numberFinding(path, value) : typeof value === 'string' ? nulFinding(path, value, at) : undefined;
    if (finding) findings.push(finding);
  });
  return findings;
}
