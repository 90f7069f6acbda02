// The schema literals of ajv's standalone code, cut down to what the code reads.
import { describe, expect, it } from 'vitest';
import { pruneSchemaLiterals } from '../../../scripts/ajv-patches';

describe('pruneSchemaLiterals', () => {
  const literal = '{"type":"object","description":"a \\"quoted\\" } brace","properties":{"a":{"enum":["x","y"]},"b":{"type":"string"}},"anyOf":[{"enum":[1]},{"enum":[2]}]}';

  it('drops a literal nothing reads', () => {
    expect(pruneSchemaLiterals(`const schema1 = ${literal};function v(){return 1}`)).toBe('function v(){return 1}');
  });

  it('keeps only the paths the code reads, each whole', () => {
    const code = `const schema2 = ${literal};f(schema2.properties.a.enum);g(schema2.anyOf[1].enum);h(schema2.properties.b);`;
    const pruned = pruneSchemaLiterals(code);
    const kept = JSON.parse(/const schema2 = (\{.*?\});f\(/.exec(pruned)![1]!) as unknown;
    expect(kept).toEqual({ properties: { a: { enum: ['x', 'y'] }, b: { type: 'string' } }, anyOf: [null, { enum: [2] }] });
    expect(pruned.endsWith('f(schema2.properties.a.enum);g(schema2.anyOf[1].enum);h(schema2.properties.b);')).toBe(true);
  });

  it('keeps the whole literal when the code passes it on', () => {
    const code = `const schema3 = ${literal};check(schema3);`;
    expect(pruneSchemaLiterals(code)).toBe(code);
  });

  it('refuses a path the schema does not have', () => {
    expect(() => pruneSchemaLiterals(`const schema4 = ${literal};f(schema4.items.type);`)).toThrow(/reads \.items\.type/);
  });
});
