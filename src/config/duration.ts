// Durations as users write them ("500ms", "30s", "2m", "1h") in milliseconds.

const unitMs: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

/** The longest a Node timer waits: setTimeout clamps anything longer (or not finite) to 1 ms. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** The maximum in words for messages: 596h, the longest whole number of hours a timer holds. */
export const MAX_DURATION_WORDS = `${Math.floor(MAX_DURATION_MS / 3_600_000)}h (${MAX_DURATION_MS}ms, about ${Math.floor(MAX_DURATION_MS / 8_640_000) / 10} days: the longest a timer can wait)`;

/** Milliseconds of a duration's text, which may be more than a timer holds (or Infinity); undefined when it is not a duration. */
export function durationMs(text: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * unitMs.get(match[2]!)!);
}

/** Milliseconds of a duration validation has already accepted; throws on anything else, including more than a timer holds. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`not a duration: ${JSON.stringify(text)} (write "500ms", "30s", "2m" or "1h")`);
  if (!(ms <= MAX_DURATION_MS)) throw new Error(`duration ${JSON.stringify(text)} is too long: at most ${MAX_DURATION_WORDS}`);
  return ms;
}

/** A duration for messages: 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number((ms / 60_000).toFixed(3))}m`;
}
