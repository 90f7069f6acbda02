// Turns ajv's raw errors into findings a person can act on: union noise removed, plain words, hints.
import type { ErrorObject } from 'ajv';
import type { Finding } from './diagnostic';
import { fromPointer } from './diagnostic';
import { virtualMounts } from '../plan/virtual-mounts';
import { branchFits, configSchema, keysAt, schemasAt, typeAdmits, unionAt, type SchemaNode } from './schema-walk';
import { describeValue, label } from './finding-words';
import { ownValue } from './own-value';
import { closest } from './suggest';

/** Filesystems PID 1 mounts by itself, with where it mounts them; tmpfs is left out, being a mount a user may want anywhere. */
export const virtualFileSystems: ReadonlyMap<string, string> = new Map(
  virtualMounts.filter((mount) => mount.fsType !== 'tmpfs').map((mount) => [mount.fsType, mount.target]),
);

/** Top-level fields the reference names but nothing implements yet. */
const reservedFields = ['security', 'clock'];

const patternWords: Record<string, string> = {
  '^/': 'an absolute path (starting with /)',
  '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$': 'a duration such as "500ms", "30s", "2m" or "1h"',
  '^0?[0-7]{3,4}$': 'octal permission bits in quotes, such as "0644"',
  '^(/|LABEL=.|UUID=.|PARTUUID=.|PARTLABEL=.)': 'a device path (/dev/vda1), LABEL=name, UUID=uuid, PARTUUID= or PARTLABEL=',
  '^[0-9]+[kmgKMG%]?$': 'a size such as "64m" or "50%"',
  '^[0-9]+[kKmMgG]?$': 'a size such as "10M" or "512k"',
  // An environment is a plain object wherever it is built: assigning `__proto__` there sets no variable.
  '^(?!__proto__$)[A-Za-z_][A-Za-z0-9_]*$': 'a variable name (letters, digits and _, not starting with a digit, and not __proto__)',
  '^[A-Za-z0-9][A-Za-z0-9_.-]*$': 'a name of letters, digits, ".", "_" and "-"',
  '^[A-Za-z0-9_-]+([./][A-Za-z0-9_*:-]+)*$': 'a sysctl name such as net.core.somaxconn',
  '^(?!__proto__$)[^/:\\s]{1,15}$': 'an interface name of 1 to 15 characters without "/", ":" or spaces (the kernel\'s limit), or a label that long',
  '^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$': 'a host name of letters, digits and "-" (labels of up to 63, separated by ".")',
};

// Patterns of named definitions (`signal`, …) in the words of the definition's description.
const definitionPatternWords = new Map(
  Object.values(configSchema.$defs ?? {})
    .filter((definition) => typeof definition.pattern === 'string' && typeof definition.description === 'string')
    .map((definition) => [definition.pattern!, `${definition.description!.charAt(0).toLowerCase()}${definition.description!.slice(1).replace(/\.$/, '')}`]),
);

const typeWords: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping',
  array: 'a list',
  null: 'empty (null)',
};

function describeTypes(types: readonly string[]): string {
  const words = [...new Set(types.map((type) => typeWords[type] ?? type))];
  return words.length <= 1 ? (words[0] ?? 'something else') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const segment of path) value = ownValue(value, segment);
  return value;
}

/** The findings for ajv's errors over `data`, deduplicated, one per problem a reader would see. */
export function schemaFindings(errors: readonly ErrorObject[], data: unknown): Finding[] {
  const findings = new Map<string, Finding>();
  const add = (finding: Finding): void => {
    const key = `${finding.code}|${finding.path.join('/')}|${finding.message}`;
    if (!findings.has(key)) findings.set(key, finding);
  };
  // A propertyNames error is explained by the pattern error of the same name: found by key, not by a search per error.
  const namePatterns = new Map<string, ErrorObject>();
  for (const error of errors) {
    const key = `${error.instancePath}\0${error.propertyName ?? ''}`;
    if (error.keyword === 'pattern' && error.propertyName !== undefined && !namePatterns.has(key)) namePatterns.set(key, error);
  }
  for (const error of errors) {
    const path = fromPointer(error.instancePath);
    const schemas = schemasAt(data, path);
    const value = valueAt(data, path);
    const kept = interpret(error, path, value, schemas, data, namePatterns);
    if (kept) add(kept);
  }
  return [...findings.values()];
}

// One ajv error → a finding, or undefined when the error belongs to a union branch nobody meant.
function interpret(
  error: ErrorObject,
  path: string[],
  value: unknown,
  schemas: SchemaNode[],
  data: unknown,
  namePatterns: ReadonlyMap<string, ErrorObject>,
): Finding | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      return unknownKey(path, key, value, data);
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      if (!schemas.some((schema) => schema.required?.includes(missing))) return undefined;
      const kind = discriminatorWord(value);
      return {
        code: 'missing-key',
        severity: 'error',
        path,
        message: `\`${missing}\` is missing${kind ? `: ${kind} needs \`${missing}\`` : ` in ${label(path)}`}`,
      };
    }
    case 'type': {
      const typed = schemas.filter((schema) => schema.type !== undefined);
      if (typed.length === 0 || typed.every((schema) => typeAdmits(schema.type, value))) return undefined;
      const expected = typed.flatMap((schema) => (Array.isArray(schema.type) ? schema.type : [schema.type!]));
      return { code: 'wrong-type', severity: 'error', path, message: `${label(path)} must be ${describeTypes(expected)}, not ${describeValue(value)}${typeHint(path, value, expected)}` };
    }
    case 'enum': {
      if (!schemas.some((schema) => schema.enum !== undefined)) return undefined;
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        code: 'invalid-value',
        severity: 'error',
        path,
        message: `${label(path)} must be one of ${allowed.join(', ')}, not ${describeValue(value)}${guess ? `; did you mean \`${guess}\`?` : ''}`,
      };
    }
    case 'const':
      // A discriminating constant of a branch nobody meant is judged where the union is (anyOf/oneOf).
      return constFinding(path, value, schemas);
    case 'anyOf':
    case 'oneOf':
      return unionFinding(path, value, data);
    case 'pattern': {
      if (!schemas.some((schema) => schema.pattern === params['pattern'])) return undefined;
      const words = patternWords[String(params['pattern'])] ?? definitionPatternWords.get(String(params['pattern'])) ?? `text matching ${String(params['pattern'])}`;
      return { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must be ${words}, not ${describeValue(value)}` };
    }
    case 'propertyNames': {
      const name = String(params['propertyName']);
      const inner = namePatterns.get(`${error.instancePath}\0${name}`);
      const words = inner ? patternWords[String((inner.params as Record<string, unknown>)['pattern'])] : undefined;
      return { code: 'invalid-value', severity: 'error', path: [...path, name], at: 'key', message: `invalid name \`${name}\` in ${label(path)}${words ? `: must be ${words}` : ''}` };
    }
    case 'discriminator': {
      const tag = String(params['tag']);
      const chosen = ownValue(value, tag);
      // A missing tag is reported by `required`.
      if (chosen === undefined) return undefined;
      const constants = unionAt(data, path)
        .map((branch) => branch.properties?.[tag]?.const)
        .filter((constant): constant is string => typeof constant === 'string');
      return discriminatorFinding([...path, tag], tag, chosen, constants);
    }
    case 'not':
      return path.length === 1 && reservedFields.includes(path[0]!)
        ? { code: 'unsupported-field', severity: 'error', path, at: 'key', message: `\`${path[0]}\` is not supported yet; remove it` }
        : undefined;
    case 'minLength':
      return schemas.length === 0 ? undefined : { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must not be empty` };
    case 'minItems':
      return schemas.length === 0 ? undefined : { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must list at least ${String(params['limit'])}` };
    case 'minProperties':
      return schemas.length === 0 ? undefined : { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must have at least ${String(params['limit'])} entr${params['limit'] === 1 ? 'y' : 'ies'}` };
    case 'minimum':
    case 'maximum':
      return schemas.length === 0
        ? undefined
        : { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}, not ${describeValue(value)}` };
    default:
      return schemas.length === 0 ? undefined : { code: 'invalid-value', severity: 'error', path, message: `${label(path)} ${error.message ?? 'is invalid'}` };
  }
}

function constFinding(path: string[], value: unknown, schemas: SchemaNode[]): Finding | undefined {
  const constant = schemas.find((schema) => 'const' in schema && schema.const !== value);
  if (!constant) return undefined;
  return { code: 'invalid-value', severity: 'error', path, message: `${label(path)} must be ${JSON.stringify(constant.const)}, not ${describeValue(value)}` };
}

// Discriminated unions: `type` picks the mount kind, `mode` the handoff.
const discriminators = ['type', 'mode'] as const;

function discriminatorWord(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of discriminators) {
    const chosen = ownValue(value, key);
    if (typeof chosen === 'string') return key === 'type' ? `a ${chosen} filesystem` : `the ${chosen} handoff`;
  }
  return undefined;
}

function unionFinding(path: string[], value: unknown, data: unknown): Finding | undefined {
  const schemas = schemasAt(data, path);
  // The value is of a type the union's own schema excludes: the `type` error says it.
  if (schemas.some((schema) => schema.type !== undefined && !typeAdmits(schema.type, value))) return undefined;
  const branches = unionAt(data, path);
  // A branch fits the value: that branch's own errors say what is wrong, this summary adds nothing.
  if (branches.length === 0 || branches.some((branch) => branchFits(branch, value))) return undefined;
  for (const key of discriminators) {
    const constants = branches.map((branch) => branch.properties?.[key]?.const).filter((constant): constant is string => typeof constant === 'string');
    if (constants.length === 0 || constants.length !== branches.length) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) break;
    const chosen = ownValue(value, key);
    if (chosen === undefined) {
      return { code: 'missing-key', severity: 'error', path, message: `\`${key}\` is missing in ${label(path)}: one of ${constants.join(', ')}` };
    }
    return discriminatorFinding([...path, key], key, chosen, constants);
  }
  const types = branches.flatMap((branch) => (branch.type === undefined ? [] : Array.isArray(branch.type) ? branch.type : [branch.type]));
  return { code: 'wrong-type', severity: 'error', path, message: `${label(path)} must be ${describeTypes(types)}, not ${describeValue(value)}` };
}

function discriminatorFinding(path: string[], key: string, chosen: unknown, constants: string[]): Finding {
  const automatic = key === 'type' && typeof chosen === 'string' ? virtualFileSystems.get(chosen) : undefined;
  if (automatic !== undefined) {
    return {
      code: 'virtual-filesystem',
      severity: 'error',
      path,
      message: `\`${chosen as string}\` is mounted automatically at ${automatic}; remove it from \`mounts\``,
    };
  }
  const guess = typeof chosen === 'string' ? closest(chosen, constants) : undefined;
  return {
    code: 'invalid-value',
    severity: 'error',
    path,
    message: `\`${key}\` must be one of ${constants.join(', ')}, not ${describeValue(chosen)}${guess ? `; did you mean \`${guess}\`?` : ''}`,
  };
}

function unknownKey(path: string[], key: string, value: unknown, data: unknown): Finding | undefined {
  const known = keysAt(data, path);
  // A key defined by the value's own union branch only looks unevaluated because that branch failed. When a branch
  // fits the value (by its `type`, say), only that one counts: `source` on a tmpfs mount is bind's key, unknown here.
  const branches = unionAt(data, path);
  const fitting = branches.filter((branch) => branchFits(branch, value));
  const defines = (branch: SchemaNode): boolean => branch.properties !== undefined && Object.hasOwn(branch.properties, key);
  if (known.includes(key) || (fitting.length > 0 ? fitting : branches).some(defines)) return undefined;
  const guess = closest(key, known);
  const child = ownValue(value, key);
  let hint = guess ? `; did you mean \`${guess}\`?` : known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
  if (!guess && known.includes('processes') && child !== null && typeof child === 'object' && 'program' in child) {
    hint = `; it looks like a process: indent it under \`processes\``;
  }
  return { code: 'unknown-key', severity: 'error', path: [...path, key], at: 'key', message: `unknown key \`${key}\` in ${label(path)}${hint}` };
}

function typeHint(path: string[], value: unknown, expected: string[]): string {
  const last = path.at(-1);
  if (last === 'mode' && typeof value === 'number') return `; quote it: mode: "${String(value).padStart(4, '0')}"`;
  if (expected.includes('boolean') && typeof value === 'string' && /^(yes|no|on|off|y|n)$/i.test(value)) return '; write true or false';
  if (expected.includes('string') && typeof value === 'number' && last === 'timeout') return `; write a unit, such as "${value}s"`;
  return '';
}
