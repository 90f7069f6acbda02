// Deterministic mutations of config text for fuzz tests: deletions, type swaps, garbage bytes, re-indentation.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A small seeded PRNG (mulberry32), so a failing case can be reproduced from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The configs mutations start from: the templates and the reference examples. */
export function corpus(): string[] {
  const root = join(import.meta.dirname, '../..');
  const dirs = [join(root, 'templates'), join(root, 'test/fixtures/seeds')];
  return dirs.flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).map((name) => readFileSync(join(dir, name), 'utf8')));
}

const replacements = ['[]', '{}', '123', '-1', 'null', 'true', '"x"', '~', '0755', '1.5', '[a, [b]]', '{a: {b: c}}', '&a x', '*a', '!!binary aGk=', '"\\u0000"', "'", '|', '>-', '- - -'];

type Mutation = (text: string, next: () => number) => string | Uint8Array;

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!;

const mutations: Mutation[] = [
  // delete a random span
  (text, next) => {
    const start = Math.floor(next() * text.length);
    return text.slice(0, start) + text.slice(start + 1 + Math.floor(next() * 40));
  },
  // swap a value for one of another type
  (text, next) => {
    const lines = text.split('\n');
    const index = Math.floor(next() * lines.length);
    lines[index] = lines[index]!.replace(/(:\s*|-\s+)(\S.*)?$/, (_, lead: string) => `${lead}${pick(replacements, next)}`);
    return lines.join('\n');
  },
  // insert garbage bytes
  (text, next) => {
    const bytes = new TextEncoder().encode(text);
    const at = Math.floor(next() * bytes.length);
    const garbage = Uint8Array.from({ length: 1 + Math.floor(next() * 16) }, () => Math.floor(next() * 256));
    const out = new Uint8Array(bytes.length + garbage.length);
    out.set(bytes.subarray(0, at));
    out.set(garbage, at);
    out.set(bytes.subarray(at), at + garbage.length);
    return out;
  },
  // shift a line's indentation
  (text, next) => {
    const lines = text.split('\n');
    const index = Math.floor(next() * lines.length);
    lines[index] = next() < 0.5 ? `  ${lines[index]}` : lines[index]!.replace(/^ {1,2}/, '');
    return lines.join('\n');
  },
  // duplicate a line (duplicate keys, repeated items)
  (text, next) => {
    const lines = text.split('\n');
    const index = Math.floor(next() * lines.length);
    lines.splice(index, 0, lines[index]!);
    return lines.join('\n');
  },
  // truncate
  (text, next) => text.slice(0, Math.floor(next() * text.length)),
  // rename a key
  (text, next) => text.replace(/^(\s*)([A-Za-z]+):/m, (_, space: string, key: string) => `${space}${key.slice(0, -1) || 'x'}${pick(['', 'z', 'S', '-'], next)}:`),
];

/** `count` mutated configs, each from 1 to 3 mutations of a corpus entry. */
export function mutatedConfigs(count: number, seed: number): (string | Uint8Array)[] {
  const next = random(seed);
  const base = corpus();
  return Array.from({ length: count }, () => {
    let current: string | Uint8Array = pick(base, next);
    const rounds = 1 + Math.floor(next() * 3);
    for (let round = 0; round < rounds; round++) {
      const text = typeof current === 'string' ? current : new TextDecoder().decode(current);
      current = pick(mutations, next)(text, next);
    }
    return current;
  });
}
