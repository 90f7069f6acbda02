// Scalars no field of a config may hold, whatever its schema says: numbers that are not finite, or not exact.
import type { Finding } from './diagnostic';
import { label } from './finding-words';

/** Calls `visit` for every value of parsed YAML data with its path. */
function forEachScalar(data: unknown, visit: (path: readonly (string | number)[], value: unknown) => void): void {
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (Array.isArray(value)) for (const [index, item] of value.entries()) walk(item, [...path, index]);
    else if (value !== null && typeof value === 'object') for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    else visit(path, value);
  };
  walk(data, []);
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
  forEachScalar(data, (path, value) => {
    const finding = typeof value === 'number' ? numberFinding(path, value) : undefined;
    if (finding) findings.push(finding);
  });
  return findings;
}
