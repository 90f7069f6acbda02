// Prints diagnostics the way compilers do (`file:line:col: error code: message`) or as one JSON object.
import type { Diagnostic } from '../config/diagnostic';

/** Text lines, one per diagnostic, plus a closing summary. */
export function diagnosticsText(file: string, valid: boolean, diagnostics: readonly Diagnostic[]): string {
  const name = file === '-' ? '<stdin>' : file;
  const lines = diagnostics.map((diagnostic) => `${name}${diagnostic.line > 0 ? `:${diagnostic.line}:${diagnostic.column}` : ''}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const counts = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  lines.push(`${name}: ${valid ? 'valid' : 'invalid'}${counts ? ` (${counts})` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON form: `{valid, errors: [{code, severity, pointer, line, column, message}]}`. */
export function diagnosticsJson(valid: boolean, diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify({ valid, errors: diagnostics.map(({ code, severity, pointer, line, column, message }) => ({ code, severity, pointer, line, column, message })) }, null, 2)}\n`;
}
