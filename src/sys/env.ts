// Conversion of an environment object into the NULL-terminated `NAME=value` array C expects.
import { checkString } from './check';

/** `{A: '1'}` → `['A=1', null]`, rejecting names C could not represent. */
export function environmentArray(call: string, env: Readonly<Record<string, string>>): (string | null)[] {
  const entries = Object.entries(env).map(([name, value]) => {
    if (name === '' || name.includes('=') || name.includes('\0')) {
      throw new TypeError(`${call}: environment variable name ${JSON.stringify(name)} must be non-empty without "=" or NUL`);
    }
    return `${name}=${checkString(call, `env.${name}`, value)}`;
  });
  return [...entries, null];
}
