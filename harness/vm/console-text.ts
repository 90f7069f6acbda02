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

/** The text between the marker lines `begin` and `end`; throws with the transcript when the section is not complete. */
export function requiredSection(transcript: string, begin: string, end: string): string {
  const text = sectionBetween(transcript, begin, end);
  if (text === undefined) throw new Error(`the console has no complete ${begin} … ${end} section:\n${transcript}`);
  return text;
}

/** A pattern matching `text` literally. */
export function literal(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

// The kernel's own console lines: `[    8.249309] message` (microseconds; bootstrap's lines carry milliseconds).
const kernelLine = /\[ *\d+\.\d{6}\] [^\n]*\n/g;

/**
 * The transcript without the kernel's lines. A kernel message printed while a program writes to the same console
 * can land inside the program's line (`bootstrap: debug: modules: the kernel[    8.249309] not an xz compressed
 * module\n does not take…`); taking the kernel's lines out puts the program's lines back together.
 */
export function withoutKernelLines(transcript: string): string {
  return transcript.replace(kernelLine, '');
}
