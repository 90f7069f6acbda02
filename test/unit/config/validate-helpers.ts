// Small helpers for config tests: validate text, and look up the diagnostics by code.
import { validateConfigText } from '../../../src/config/validate-config';
import type { Diagnostic } from '../../../src/config/diagnostic';

/** A config that is valid; tests change one part of it. */
export const minimal = `postSwitch:
  handoff:
    mode: exec
    program: /sbin/init
`;

export function validate(text: string): { valid: boolean; diagnostics: Diagnostic[] } {
  const result = validateConfigText(text);
  return { valid: result.valid, diagnostics: result.diagnostics };
}

/** The errors only, as `code pointer` strings, for compact assertions. */
export function errorsOf(text: string): string[] {
  return validate(text)
    .diagnostics.filter((diagnostic) => diagnostic.severity === 'error')
    .map((diagnostic) => `${diagnostic.code} ${diagnostic.pointer}`);
}
