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
  return `${patched}${appendErrors}`;
}
