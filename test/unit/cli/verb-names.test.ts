// PID 1 tells verbs from kernel arguments by name alone, without loading the CLI: the names must be the CLI's.
import { describe, expect, it } from 'vitest';
import { dispatchedVerbNames } from '../../../src/cli/run-cli';
import { isVerb, verbNames } from '../../../src/cli/verb-names';

describe('verb names', () => {
  it('are exactly the verbs the CLI dispatches', () => {
    expect([...verbNames].sort()).toEqual([...dispatchedVerbNames].sort());
  });

  it('make a verb of each name and of --help and --version, and of nothing else a kernel passes on', () => {
    for (const name of verbNames) expect(isVerb(name), name).toBe(true);
    expect(isVerb('--help')).toBe(true);
    expect(isVerb('--version')).toBe(true);
    for (const word of [undefined, '', 'single', 'init=/bin/sh', 'toString', '__proto__', 'constructor', 'VALIDATE']) expect(isVerb(word), String(word)).toBe(false);
  });
});
