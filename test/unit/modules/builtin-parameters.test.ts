// Parameters of a built-in module, as the kernel command line takes them.
import { describe, expect, it } from 'vitest';
import { builtinParametersMessage, commandLineParameters } from '../../../src/modules/builtin-parameters';

describe('built-in module parameters', () => {
  it('prefixes each parameter with the module name, keeping a quoted value with spaces whole', () => {
    expect(commandLineParameters('fuse', 'max_user_bgreq=77')).toBe('fuse.max_user_bgreq=77');
    expect(commandLineParameters('m', ' a=1  b="x y" flag ')).toBe('m.a=1 m.b="x y" m.flag');
  });

  it('says what is lost and what to write instead', () => {
    expect(builtinParametersMessage('fuse', 'max_user_bgreq=77')).toBe(
      'module fuse is built into this kernel, so its parameters (max_user_bgreq=77) cannot be applied by loading it; put fuse.max_user_bgreq=77 on the kernel command line',
    );
  });
});
