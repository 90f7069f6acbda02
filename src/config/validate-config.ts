// Config text → a typed Config and every diagnostic: YAML syntax, schema, then lint, each placed at line:column.
import validateSchema from './generated/validate-schema';
import type { Config } from './generated/config-types';
import { compareDiagnostics, MAX_DIAGNOSTICS, type Diagnostic } from './diagnostic';
import { durationFindings } from './duration-findings';
import { lintConfig, type LintFacts } from './lint';
import { schemaFindings } from './schema-findings';
import { valueFindings } from './value-findings';
import { parseYamlSource } from './yaml-source';

export { MAX_DIAGNOSTICS } from './diagnostic';

/** Diagnostics found beyond the first MAX_DIAGNOSTICS, counted and left out. */
export interface Omitted {
  errors: number;
  warnings: number;
}

export interface ValidationResult {
  /** True when no diagnostic (listed or omitted) is an error. */
  valid: boolean;
  /** The config with defaults filled in; present only when valid. */
  config?: Config;
  /** The first MAX_DIAGNOSTICS diagnostics in text order. */
  diagnostics: Diagnostic[];
  omitted: Omitted;
}

const noneOmitted: Omitted = { errors: 0, warnings: 0 };

function failed(diagnostic: Omit<Diagnostic, 'severity' | 'pointer' | 'line' | 'column'> & Partial<Diagnostic>): ValidationResult {
  return { valid: false, diagnostics: [{ severity: 'error', pointer: '', line: 0, column: 0, ...diagnostic }], omitted: noneOmitted };
}

// Every diagnostic is found and placed (linearly), then only the first MAX_DIAGNOSTICS in text order are kept.
function listed(all: Diagnostic[]): { valid: boolean; diagnostics: Diagnostic[]; omitted: Omitted } {
  const sorted = all.sort(compareDiagnostics);
  const rest = sorted.slice(MAX_DIAGNOSTICS);
  const errors = rest.filter((diagnostic) => diagnostic.severity === 'error').length;
  return {
    valid: !sorted.some((diagnostic) => diagnostic.severity === 'error'),
    diagnostics: sorted.slice(0, MAX_DIAGNOSTICS),
    omitted: { errors, warnings: rest.length - errors },
  };
}

/** Validates config bytes or text; never throws for any input. */
export function validateConfigText(input: string | Uint8Array, facts: LintFacts = {}): ValidationResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return failed({ code: 'not-text', message: 'the file is not UTF-8 text; a config is a YAML file' });
    }
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    return failed({ code: 'not-text', line, column: nul - text.lastIndexOf('\n', nul - 1), message: 'the file contains a NUL byte: it is binary, not a YAML config' });
  }
  if (text.trim() === '' || /^(\s*(#.*)?\n?)*$/.test(text)) {
    return failed({ code: 'empty-config', line: 1, column: 1, message: 'the config is empty; start from `bootstrap config-template --mode shell`' });
  }
  const source = parseYamlSource(text);
  if (source.problems.length > 0) return listed(source.problems);
  const data = source.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return failed({ code: 'not-a-mapping', line: 1, column: 1, message: `the config must be a mapping of keys (console, preSwitch, switchRoot, postSwitch, ...), not ${Array.isArray(data) ? 'a list' : 'a single value'}` });
  }
  const schemaValid = validateSchema(data);
  // Checks a schema cannot express run on any data, so their findings come with the schema's.
  const findings = [
    ...valueFindings(data),
    ...durationFindings(data),
    ...(schemaValid ? lintConfig(data as Config, facts) : schemaFindings(validateSchema.errors ?? [], data)),
  ];
  const result = listed(findings.map((finding) => source.locate(finding)));
  return result.valid ? { ...result, config: data as Config } : result;
}
