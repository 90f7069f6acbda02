// Rewrites of ajv's standalone validator code for behaviour of ajv 8 that user data can trigger; each says what it works around.

interface Patch {
  /** What ajv does wrong, in words. */
  why: string;
  pattern: RegExp;
  replacement: string;
}

const patches: readonly Patch[] = [
  {
    // unevaluatedProperties looks keys up in a plain object of evaluated names, so a key named
    // `constructor` or `toString` finds Object.prototype's member and counts as evaluated: it passes unseen.
    why: 'unevaluatedProperties treats keys named like Object.prototype members as evaluated',
    pattern: /!props(\d+)\[key(\d+)\]/g,
    replacement: '!Object.hasOwn(props$1, key$2)',
  },
  {
    // uniqueItems indexes string items in a plain object: `__proto__` twice is not seen as a duplicate.
    why: 'uniqueItems misses duplicates named __proto__',
    pattern: /const indices(\d+) = \{\};/g,
    replacement: 'const indices$1 = Object.create(null);',
  },
  {
    // Each $ref'd validator's errors are appended with concat, which copies every error so far: a list of
    // n bad items costs n^2 (16,000 bad hooks took a minute). Appending in place keeps it linear.
    why: 'errors of a referenced schema are appended by copying all earlier errors',
    pattern: /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g,
    replacement: 'vErrors = vErrors === null ? $1.errors : appendErrors(vErrors, $1.errors);',
  },
];

// Defined in the generated module for the patch above; a loop, as push(...errors) overflows the stack on long lists.
const appendErrors = `
function appendErrors(target, errors) {
  for (const error of errors) target.push(error);
  return target;
}
`;

/** The validator code with every patch applied; throws when a patch no longer matches (ajv changed its output). */
export function patchValidatorCode(code: string): string {
  let patched = code;
  for (const patch of patches) {
    if (!patch.pattern.test(patched)) throw new Error(`ajv patch no longer applies (${patch.why}): ${String(patch.pattern)} matches nothing`);
    patch.pattern.lastIndex = 0;
    patched = patched.replace(patch.pattern, patch.replacement);
  }
  if (patched.includes('.concat(')) throw new Error('ajv patch: the validator still appends errors with concat somewhere');
  return `${pruneSchemaLiterals(patched)}${appendErrors}`;
}

/**
 * ajv's standalone code declares a literal of every schema it compiled (`const schema31 = {...}`, 65 KB in all), and
 * uses a few of them only to quote an `enum` or a `type` in an error, or to look a key up in `properties`. Each
 * literal is built when the module loads, which every start of the CLI and of PID 1 does: unused ones are dropped,
 * and a used one keeps only the parts the code reads (whole values at each path it names).
 */
export function pruneSchemaLiterals(code: string): string {
  let pruned = code;
  for (const declaration of [...code.matchAll(/const (schema\d+) = \{/g)]) {
    const name = declaration[1]!;
    const start = declaration.index + declaration[0].length - 1;
    const end = endOfJsonObject(code, start);
    const text = `const ${name} = ${code.slice(start, end)};`;
    const uses = [...code.matchAll(new RegExp(`\\b${name}\\b(?! = )((?:\\.[A-Za-z_$][\\w$]*|\\[\\d+\\])*)`, 'g'))].map((use) => use[1]!);
    // A bare use (passed on, iterated) keeps the whole literal.
    if (uses.some((path) => path === '')) continue;
    const whole = JSON.parse(code.slice(start, end)) as unknown;
    const kept = uses.length === 0 ? undefined : keepPaths(whole, uses);
    pruned = pruned.replace(text, kept === undefined ? '' : `const ${name} = ${JSON.stringify(kept)};`);
  }
  return pruned;
}

// The parts of `value` at each of `paths` (`.properties.action.enum`, `.anyOf[0].enum`), in a copy that has nothing else.
function keepPaths(value: unknown, paths: string[]): unknown {
  const kept: Record<string, unknown> = {};
  for (const path of paths) {
    const keys = [...path.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]/g)].map((key) => key[1] ?? key[2]!);
    let source = value;
    let target: Record<string, unknown> = kept;
    keys.forEach((key, index) => {
      source = (source as Record<string, unknown>)[key];
      if (source === undefined) throw new Error(`ajv patch: the validator reads ${path} of a schema that has no such part`);
      if (index === keys.length - 1) target[key] = source;
      else target = (target[key] ??= Array.isArray(source) ? [] : {}) as Record<string, unknown>;
    });
  }
  return kept;
}

// The index just past the JSON object starting at `start` (a `{`), strings and their escapes skipped.
function endOfJsonObject(code: string, start: number): number {
  let depth = 0;
  for (let at = start; at < code.length; at++) {
    const char = code[at];
    if (char === '"') {
      at++;
      while (code[at] !== '"') at += code[at] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if ((char === '}' || char === ']') && --depth === 0) {
      return at + 1;
    }
  }
  throw new Error(`ajv patch: the schema literal at ${start} does not end`);
}
