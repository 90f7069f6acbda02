import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { COMPILED_FLAGS, compileAfterBoot, INTERPRETED_FLAGS, interpretDuringBoot } from '../../../src/pid1/interpreted-boot';
import { setV8Flags } from '../../../src/sys/v8-flags';

// In this process V8's API is out of reach: the real one runs in the child below.
vi.mock('../../../src/sys/v8-flags', () => ({
  setV8Flags: vi.fn(() => {
    throw new Error('no such symbol');
  }),
}));

const root = join(import.meta.dirname, '../../..');

describe('interpreted boot', () => {
  it('keeps hot code in the interpreter during the boot and lets V8 compile it after', () => {
    // In a child: the flags are the whole process's.
    const output = execFileSync(join(root, 'node_modules/.bin/node'), ['--import', 'tsx', join(import.meta.dirname, 'fixtures/boot-tiers.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(output)).toEqual({ problem: null, during: true, after: false });
  });

  it('turns back on exactly the flags it turned off', () => {
    const names = (flags: string): string[] => flags.split(' ').map((flag) => flag.replace(/^--(no-)?/, ''));
    expect(names(COMPILED_FLAGS)).toEqual(names(INTERPRETED_FLAGS));
    for (const flag of INTERPRETED_FLAGS.split(' ')) expect(COMPILED_FLAGS.split(' ')).not.toContain(flag);
  });

  it('reports an executable whose V8 takes no flags, and then has nothing to turn back on', () => {
    expect(interpretDuringBoot()).toBe("could not turn V8's compilers off for the boot (no such symbol); booting with them");
    compileAfterBoot();
    expect(setV8Flags).toHaveBeenCalledTimes(1);
  });
});
