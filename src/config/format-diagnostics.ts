// Prints diagnostics the way compilers do (`file:line:col: error code: message`) or as one JSON object.
import type { Diagnostic } from './diagnostic';
import type { Omitted } from './validate-config';

const none: Omitted = { errors: 0, warnings: 0 };

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One diagnostic as a line: `file:line:col: severity code: message` (no place when it has none). */
export function diagnosticLine(file: string, diagnostic: Diagnostic): string {
  const name = file === '-' ? '<stdin>' : file;
  return `${name}${diagnostic.line > 0 ? `:${diagnostic.line}:${diagnostic.column}` : ''}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
}

/** Text lines, one per diagnostic, a line for those left out, and a closing summary counting them all. */
export function diagnosticsText(file: string, valid: boolean, diagnostics: readonly Diagnostic[], omitted: Omitted = none): string {
  const name = file === '-' ? '<stdin>' : file;
  const lines = diagnostics.map((diagnostic) => diagnosticLine(file, diagnostic));
  const listedErrors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const errors = listedErrors + omitted.errors;
  const warnings = diagnostics.length - listedErrors + omitted.warnings;
  if (omitted.errors + omitted.warnings > 0) {
    const more = [omitted.errors ? plural(omitted.errors, 'more error') : '', omitted.warnings ? plural(omitted.warnings, 'more warning') : ''].filter(Boolean).join(' and ');
    lines.push(`${name}: ... and ${more} not shown (stopped after ${diagnostics.length})`);
  }
  const counts = [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : ''].filter(Boolean).join(', ');
  lines.push(`${name}: ${valid ? 'valid' : 'invalid'}${counts ? ` (${counts})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form: `{valid, errors: [{code, severity, pointer, line, column, message}], omitted?: {errors, warnings}}`. */
export function diagnosticsJson(valid: boolean, diagnostics: readonly Diagnostic[], omitted: Omitted = none): string {
  const errors = diagnostics.map(({ code, severity, pointer, line, column, message }) => ({ code, severity, pointer, line, column, message }));
  const more = omitted.errors + omitted.warnings > 0 ? { omitted } : {};
  return `${JSON.stringify({ valid, errors, ...more }, null, 2)}\n`;
}
