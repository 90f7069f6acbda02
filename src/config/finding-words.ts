// How findings name a place and a value in words: "`timeout`", "item 2 of `hooks`", "the string \"x\"".

/** The place at a path as a reader names it: the key, or the item of a list. */
export function label(path: readonly (string | number)[]): string {
  const last = path.at(-1);
  if (last === undefined) return 'the configuration';
  return typeof last === 'number' || /^\d+$/.test(last) ? `item ${Number(last) + 1} of \`${path.at(-2) ?? ''}\`` : `\`${last}\``;
}

/** A value as a message shows it: its kind, and the value itself when it is short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'boolean' ? '' : 'the number '}${typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value}`;
}
