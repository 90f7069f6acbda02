// Reads structured output back out of a console transcript: the text a guest printed between two marker lines.

/**
 * The text between the line `begin` and the line `end` (both whole lines, searched from `from`), without
 * the newline that ends `begin`; undefined when either marker is not there yet.
 */
export function sectionBetween(transcript: string, begin: string, end: string, from = 0): string | undefined {
  const start = transcript.indexOf(`\n${begin}\n`, Math.max(0, from - 1));
  if (start < 0) return undefined;
  const bodyStart = start + begin.length + 2;
  const stop = transcript.indexOf(`\n${end}\n`, bodyStart - 1);
  if (stop < 0) return undefined;
  return transcript.slice(bodyStart, stop + 1);
}

/** A pattern matching `text` literally. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
