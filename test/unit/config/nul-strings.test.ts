// A NUL character ("\0" in YAML) cannot be in a path, an argument or an environment variable: refused where it is.
import { describe, expect, it } from 'vitest';
import { errorsOf, validate } from './validate-helpers';

describe('NUL in strings', () => {
  it('is refused in a program, an argument, an environment name or value, a path and a module parameter key, with line:column', () => {
    const text = `preSwitch:
  modules: {names: [virtiofs], parameters: {"virt\\0iofs": "x=1"}}
  mounts: [{type: bind, source: "/a\\0b", target: /mnt}]
  tmpfiles: [{path: "/run/x\\x00"}]
postSwitch:
  environment: {A: "1\\u0000"}
  hooks: [[/bin/echo, "a\\0"]]
  handoff: {mode: exec, program: "/sbin/init\\0"}
`;
    const result = validate(text);
    expect(result.valid).toBe(false);
    expect(result.diagnostics.filter((diagnostic) => diagnostic.message.includes('NUL')).map((diagnostic) => `${diagnostic.pointer} ${diagnostic.line}:${diagnostic.column}`)).toEqual([
      '/preSwitch/modules/parameters/virt\0iofs 2:45',
      '/preSwitch/mounts/0/source 3:33',
      '/preSwitch/tmpfiles/0/path 4:21',
      '/postSwitch/environment/A 6:20',
      '/postSwitch/hooks/0/1 7:23',
      '/postSwitch/handoff/program 8:34',
    ]);
    expect(result.diagnostics.find((diagnostic) => diagnostic.pointer === '/postSwitch/handoff/program')?.message).toBe(
      '`program` contains a NUL character (\\0): no path, argument or environment variable can hold one',
    );
  });

  it('is refused in a supervised process, whatever else is wrong with the config', () => {
    expect(errorsOf(`postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n      a: {program: /bin/a, arguments: ["\\0"], environment: {B: "\\0"}, bogus: 1}\n`)).toEqual([
      'invalid-value /postSwitch/handoff/processes/a/arguments/0',
      'invalid-value /postSwitch/handoff/processes/a/environment/B',
      'unknown-key /postSwitch/handoff/processes/a/bogus',
    ]);
  });

  it('is kept in the content of a file and the input of a hook, which are bytes', () => {
    expect(errorsOf(`postSwitch:\n  tmpfiles: [{path: /run/x, content: "a\\0b"}]\n  hooks: [{command: /bin/cat, input: "\\0"}]\n  handoff: {mode: shell}\n`)).toEqual([]);
  });
});
