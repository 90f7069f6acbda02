// What validation reports: one finding about a config, located by JSON pointer and YAML line:column.

/** Every code `validate` reports, in the order README.md lists them. */
export const VALIDATION_CODES = [
  'io-error',
  'not-text',
  'empty-config',
  'yaml-syntax',
  'yaml-duplicate-key',
  'not-a-mapping',
  'unknown-key',
  'missing-key',
  'wrong-type',
  'invalid-value',
  'unsupported-field',
  'virtual-filesystem',
  'noexec-root',
  'relative-program',
  'command-with-spaces',
  'duplicate-mount-target',
  'module-cycle',
  'module-unknown',
  'module-dep-unreadable',
  'unknown-dependency',
  'dependency-cycle',
  'subhost-namespaces',
  'id-map-required',
  'id-map-unused',
  'id-map-overlap',
  'not-for-subhost',
  'subhost-upper-conflict',
  'duplicate-share-target',
  'subhost-cable',
  'virtual-filesystem-path',
  'namespace-combination',
  'id-map',
  'invalid-address',
  'duplicate-interface',
  'nfs-network',
] as const;

/** Stable codes a script can match on; the message may change, the code does not. */
export type DiagnosticCode =
  | (typeof VALIDATION_CODES)[number]
  /** A valid config that cannot be turned into steps on this machine (plan only). */
  | 'unplannable';

export type Severity = 'error' | 'warning';

/** How many diagnostics a validation lists; the rest are counted, as a compiler stops after its first errors. */
export const MAX_DIAGNOSTICS = 100;

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** JSON pointer (RFC 6901) of the value concerned; "" for the whole document. */
  pointer: string;
  /** 1-based; 0 when the finding has no place in the text (an unreadable file). */
  line: number;
  column: number;
  message: string;
}

/** A finding before it is placed in the text: the pointer says where, `at` whether the key or the value. */
export interface Finding {
  code: DiagnosticCode;
  severity: Severity;
  path: readonly (string | number)[];
  message: string;
  /** Point at the key of the last path segment (an unknown key) instead of its value. */
  at?: 'key' | 'value';
}

/** JSON pointer of a path: `["postSwitch", "mounts", 0]` → `/postSwitch/mounts/0`. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The path of a JSON pointer, with array indexes left as strings. */
export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Errors first, then by position, so output reads top to bottom. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column || a.pointer.localeCompare(b.pointer) || a.code.localeCompare(b.code);
}
