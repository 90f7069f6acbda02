// Durations longer than a timer can wait: the schema's pattern accepts "1000h", a Node timer clamps it to 1 ms.
import type { Finding } from './diagnostic';
import { durationMs, MAX_DURATION_MS, MAX_DURATION_WORDS } from './duration';
import { label } from './finding-words';
import { configSchema, forEachValue } from './schema-walk';

// Every field that refers to the `duration` definition carries its pattern, so new duration fields are checked too.
const durationPattern = configSchema.$defs?.['duration']?.pattern;

/** A finding for every duration in the data, wherever the schema puts one, that is over MAX_DURATION_MS. */
export function durationFindings(data: unknown): Finding[] {
  if (durationPattern === undefined) throw new Error('schema: $defs/duration has no pattern');
  const findings: Finding[] = [];
  forEachValue(data, (path, value, schemas) => {
    if (typeof value !== 'string' || !schemas.some((schema) => schema.pattern === durationPattern)) return;
    const ms = durationMs(value);
    // Not a duration at all: the schema says so.
    if (ms === undefined || ms <= MAX_DURATION_MS) return;
    findings.push({ code: 'invalid-value', severity: 'error', path: [...path], message: `${label(path)} must be at most ${MAX_DURATION_WORDS}, not ${JSON.stringify(value)}` });
  });
  return findings;
}
