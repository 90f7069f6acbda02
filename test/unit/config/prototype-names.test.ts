// User-chosen names that are also members of Object.prototype (toString, constructor, __proto__, ...) are data, never keys.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { buildPlan } from '../../../src/plan/build-plan';
import { errorsOf, validate } from './validate-helpers';

const supervise = (processes: string, extra = ''): string => `postSwitch:\n${extra}  handoff:\n    mode: supervise\n    processes:\n${processes}`;

describe('names that are members of Object.prototype', () => {
  it('services named toString, constructor, valueOf and hasOwnProperty are services like any other', () => {
    const text = supervise(
      '      toString: {program: /bin/a}\n' +
        '      constructor: {program: /bin/b, dependsOn: [toString]}\n' +
        '      valueOf: {program: /bin/c, dependsOn: {constructor: started, toString: ready}}\n' +
        '      hasOwnProperty: {program: /bin/d, main: true}\n',
    );
    const result = validateConfigText(text);
    expect(result.diagnostics).toEqual([]);
    const handoff = buildPlan(result.config!).at(-1);
    expect(handoff).toMatchObject({ kind: 'handoff', handoff: { mode: 'supervise', processes: { toString: { argv: ['/bin/a'] }, constructor: { argv: ['/bin/b'] } } } });
  });

  it('a dependency on a name no process has is unknown, even when Object.prototype has it', () => {
    expect(errorsOf(supervise('      a: {program: /bin/a, dependsOn: [toString, valueOf]}\n'))).toEqual([
      'unknown-dependency /postSwitch/handoff/processes/a/dependsOn/0',
      'unknown-dependency /postSwitch/handoff/processes/a/dependsOn/1',
    ]);
    expect(errorsOf(supervise('      a: {program: /bin/a, dependsOn: {hasOwnProperty: started, __proto__: ready}}\n'))).toEqual([
      'unknown-dependency /postSwitch/handoff/processes/a/dependsOn/hasOwnProperty',
      'unknown-dependency /postSwitch/handoff/processes/a/dependsOn/__proto__',
    ]);
  });

  it('a list naming __proto__ twice has a duplicate, as any other name would', () => {
    expect(errorsOf(supervise('      a: {program: /bin/a, dependsOn: [__proto__, __proto__]}\n'))).toContain('invalid-value /postSwitch/handoff/processes/a/dependsOn');
  });

  it('finds a cycle through such names', () => {
    const text = supervise('      toString: {program: /bin/a, dependsOn: [constructor]}\n      constructor: {program: /bin/b, dependsOn: [toString]}\n');
    expect(validate(text).diagnostics).toEqual([expect.objectContaining({ code: 'dependency-cycle', message: 'dependency cycle: toString -> constructor -> toString' })]);
  });

  it('environment variables named like prototype members are kept; __proto__, which an assignment cannot create, is refused', () => {
    const kept = validateConfigText(`postSwitch:\n  environment: {toString: a, constructor: b, valueOf: c, hasOwnProperty: d}\n  handoff: {mode: shell}\n`);
    expect(kept.diagnostics).toEqual([]);
    expect(buildPlan(kept.config!).find((step) => step.kind === 'setEnv')).toMatchObject({ variables: { toString: 'a', constructor: 'b', valueOf: 'c', hasOwnProperty: 'd' } });
    const refused = validate(`postSwitch:\n  environment: {__proto__: x}\n  handoff: {mode: shell}\n`);
    expect(refused.valid).toBe(false);
    expect(refused.diagnostics).toEqual([expect.objectContaining({ code: 'invalid-value', pointer: '/postSwitch/environment/__proto__', line: 2, column: 17 })]);
  });

  it('a module named toString gets its own parameters, not a function of Object.prototype', () => {
    const result = validateConfigText(`postSwitch:\n  modules: {names: [toString, constructor], parameters: {constructor: "x=1"}}\n  handoff: {mode: shell}\n`);
    expect(result.diagnostics).toEqual([]);
    const loads = buildPlan(result.config!).filter((step) => step.kind === 'loadModule');
    expect(loads.map((step) => step.kind === 'loadModule' && [step.name, step.parameters])).toEqual([
      ['toString', ''],
      ['constructor', 'x=1'],
    ]);
  });

  it('a mount type named like a prototype member is an unknown type, not an automatic mount', () => {
    const result = validate(`postSwitch:\n  mounts: [{type: toString, target: /x}, {type: constructor, target: /y}]\n  handoff: {mode: shell}\n`);
    expect(result.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message])).toEqual([
      ['invalid-value', '`type` must be one of virtiofs, 9p, device, nfs, overlay, tmpfs, bind, not the string "toString"'],
      ['invalid-value', '`type` must be one of virtiofs, 9p, device, nfs, overlay, tmpfs, bind, not the string "constructor"'],
    ]);
  });

  it('unknown keys named like prototype members are reported where a known key could be', () => {
    expect(errorsOf(`postSwitch:\n  handoff: {mode: shell, constructor: 1}\n  hooks: [{command: /bin/true, toString: 1}]\n`)).toEqual([
      'unknown-key /postSwitch/handoff/constructor',
      'unknown-key /postSwitch/hooks/0/toString',
    ]);
    expect(errorsOf(`postSwitch:\n  mounts: [{type: tmpfs, target: /x, constructor: 1}]\n  handoff: {mode: shell}\n`)).toEqual(['unknown-key /postSwitch/mounts/0/constructor']);
  });
});
