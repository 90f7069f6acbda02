// Reads a key of parsed config data as data: only the object's own properties count, never Object.prototype's.

/** The own property `key` of `value` when `value` is an object (or array) that has it; undefined otherwise. */
export function ownValue(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string, unknown>)[key];
}
