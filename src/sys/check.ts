// Early checks of a sys call's arguments, so a caller's mistake reads as such instead of as an errno.

/** A path argument: a non-empty string without NUL bytes (C would silently cut it there). */
export function checkPath(call: string, name: string, value: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) {
    throw new TypeError(`${call}: ${name} must be a non-empty path without NUL bytes, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A string argument that may be empty but must not hold NUL bytes. */
export function checkString(call: string, name: string, value: string): string {
  if (typeof value !== 'string' || value.includes('\0')) {
    throw new TypeError(`${call}: ${name} must be a string without NUL bytes, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** An integer argument within [min, max]. */
export function checkInteger(call: string, name: string, value: number, min = 0, max = 0xffff_ffff): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${call}: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** A file descriptor argument. */
export function checkFd(call: string, name: string, value: number): number {
  return checkInteger(call, name, value, 0, 0x7fff_ffff);
}

/** A list of strings for argv/envp, none holding NUL bytes. */
export function checkStrings(call: string, name: string, values: readonly string[], nonEmpty: boolean): readonly string[] {
  const isArray: boolean = Array.isArray(values);
  if (!isArray || (nonEmpty && values.length === 0)) {
    throw new TypeError(`${call}: ${name} must be a${nonEmpty ? ' non-empty' : 'n'} array of strings`);
  }
  for (const [index, value] of values.entries()) checkString(call, `${name}[${index}]`, value);
  return values;
}
