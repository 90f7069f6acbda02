// Finds which parts of the JSON Schema apply to a value at a path, choosing union branches the way a
// reader would: by the value's JSON type and by discriminating constants such as `type: virtiofs`.
import schemaJson from '../../schema/bootstrap.schema.json';
import { ownValue } from './own-value';

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  unevaluatedProperties?: SchemaNode | boolean;
  required?: string[];
  items?: SchemaNode;
  allOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  $defs?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

/** The configuration schema, the single source of truth for the config's shape. */
export const configSchema = schemaJson as SchemaNode;

/** The JSON type of a value as JSON Schema names it. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether a schema's `type` keyword admits a value (an integer is also a number). */
export function typeAdmits(type: string | string[] | undefined, value: unknown): boolean {
  if (type === undefined) return true;
  const actual = jsonType(value);
  const allowed = Array.isArray(type) ? type : [type];
  return allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
}

// A node resolves to the same schema every time: resolving once keeps a walk over every value cheap.
const resolved = new WeakMap<SchemaNode, WeakMap<SchemaNode, SchemaNode>>();

function deref(node: SchemaNode, root: SchemaNode): SchemaNode {
  let byNode = resolved.get(root);
  if (byNode === undefined) resolved.set(root, (byNode = new WeakMap()));
  let target = byNode.get(node);
  if (target === undefined) byNode.set(node, (target = resolve(node, root)));
  return target;
}

function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  let current = node;
  for (let depth = 0; current.$ref !== undefined && depth < 32; depth++) {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs && Object.hasOwn(root.$defs, name) ? root.$defs[name] : undefined;
    if (!target) throw new Error(`schema: unresolved $ref ${current.$ref}`);
    // In 2020-12 a $ref may have siblings: keep them, minus the $ref itself.
    const { $ref: _ref, ...siblings } = current;
    current = Object.keys(siblings).length > 0 ? { ...target, ...siblings, allOf: [...(target.allOf ?? []), ...(siblings.allOf ?? [])] } : target;
  }
  return current;
}

/** Whether a union branch is the one meant for a value: its type fits and its constants match. */
export function branchFits(branch: SchemaNode, value: unknown, root: SchemaNode = configSchema): boolean {
  const schema = deref(branch, root);
  if (!typeAdmits(schema.type, value)) return false;
  if ('const' in schema && schema.const !== value) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const resolved = deref(property, root);
      const field = ownValue(value, key);
      if ('const' in resolved && field !== undefined && field !== resolved.const) return false;
    }
  }
  return true;
}

/** Every schema that applies to the value itself: the schema, its allOf parts, and the fitting union branches. */
export function expand(node: SchemaNode, value: unknown, root: SchemaNode = configSchema): SchemaNode[] {
  const schema = deref(node, root);
  const found = [schema];
  for (const part of schema.allOf ?? []) found.push(...expand(part, value, root));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    if (branchFits(branch, value, root)) found.push(...expand(branch, value, root));
  }
  return found;
}

/** The schemas that apply at a path inside the data; empty when the path leads nowhere the schema allows. */
export function schemasAt(data: unknown, path: readonly (string | number)[], root: SchemaNode = configSchema): SchemaNode[] {
  let schemas = expand(root, data, root);
  let value: unknown = data;
  for (const segment of path) {
    // Keys in the data are the user's: `constructor` is a key only where the data or the schema has it as its own.
    const child = ownValue(value, String(segment));
    const next: SchemaNode[] = [];
    for (const schema of schemas) {
      const property = schema.properties && Object.hasOwn(schema.properties, String(segment)) ? schema.properties[String(segment)] : undefined;
      if (Array.isArray(value)) {
        if (schema.items) next.push(...expand(schema.items, child, root));
      } else if (property) {
        next.push(...expand(property, child, root));
      } else if (typeof schema.additionalProperties === 'object') {
        next.push(...expand(schema.additionalProperties, child, root));
      }
    }
    schemas = next;
    value = child;
  }
  return schemas;
}

/** The keys the schema allows for the object at a path, for "did you mean" hints. */
export function keysAt(data: unknown, path: readonly (string | number)[], root: SchemaNode = configSchema): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(data, path, root)) for (const key of Object.keys(schema.properties ?? {})) keys.add(key);
  return [...keys];
}

/** The union branches at a path when none fits the value: what a reader might have meant. */
export function unionAt(
  data: unknown,
  path: readonly (string | number)[],
  root: SchemaNode = configSchema,
): SchemaNode[] {
  const branches: SchemaNode[] = [];
  for (const schema of schemasAt(data, path, root)) {
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) branches.push(deref(branch, root));
  }
  return branches;
}

/** Calls `visit` for every value in the data (keys first, then items and properties) with the schemas that apply to it. */
export function forEachValue(
  data: unknown,
  visit: (path: readonly (string | number)[], value: unknown, schemas: readonly SchemaNode[]) => void,
  root: SchemaNode = configSchema,
): void {
  const walk = (value: unknown, schemas: SchemaNode[], path: (string | number)[]): void => {
    visit(path, value, schemas);
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) walk(item, schemas.flatMap((schema) => (schema.items ? expand(schema.items, item, root) : [])), [...path, index]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        // As schemasAt does: a declared property, else additionalProperties.
        const next = schemas.flatMap((schema) => {
          if (schema.properties && Object.hasOwn(schema.properties, key)) return expand(schema.properties[key]!, child, root);
          return typeof schema.additionalProperties === 'object' ? expand(schema.additionalProperties, child, root) : [];
        });
        walk(child, next, [...path, key]);
      }
    }
  };
  walk(data, expand(root, data, root), []);
}
