// Durations as users write them ("500ms", "30s", "2m", "1h") in milliseconds.

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration the schema has already accepted; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(text)} (write "500ms", "30s", "2m" or "1h")`);
  return Math.round(Number(match[1]) * unitMs[match[2]!]!);
}

/** A duration for messages: 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number((ms / 60_000).toFixed(3))}m`;
}
