// What the schema cannot see: contradictions, relative programs, duplicate targets, module cycles.
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { checkModules } from '../../../src/config/module-check';
import { errorsOf, minimal, validate } from './validate-helpers';

describe('lint', () => {
  it.each(['exec', 'supervise'])('a noExec root with a %s handoff is an error at noExec', (mode) => {
    const handoff = mode === 'exec' ? 'mode: exec\n    program: /sbin/init' : 'mode: supervise\n    processes:\n      a: {program: /bin/a}';
    const text = `switchRoot:\n  rootFileSystem:\n    type: virtiofs\n    tag: rootfs\n    noExec: true\npostSwitch:\n  handoff:\n    ${handoff}\n`;
    expect(validate(text).diagnostics).toEqual([expect.objectContaining({ code: 'noexec-root', pointer: '/switchRoot/rootFileSystem/noExec', line: 5, column: 13 })]);
  });

  it('relative handoff, process and boot script programs are errors', () => {
    expect(errorsOf('postSwitch:\n  handoff:\n    mode: exec\n    program: sbin/init\n')).toEqual(['relative-program /postSwitch/handoff/program']);
    expect(errorsOf('postSwitch:\n  handoff:\n    mode: shell\n    program: sh\n')).toEqual(['relative-program /postSwitch/handoff/program']);
    expect(errorsOf('postSwitch:\n  handoff:\n    mode: supervise\n    processes:\n      web: {program: nginx}\n')).toEqual(['relative-program /postSwitch/handoff/processes/web/program']);
    expect(errorsOf('postSwitch:\n  handoff:\n    mode: shell\n    bootScript: {path: boot.sh}\n')).toEqual(['relative-program /postSwitch/handoff/bootScript/path']);
  });

  it('a hook program found in PATH is a warning, a relative path with a slash an error', () => {
    const warned = validate(`preSwitch:\n  hooks:\n    - [mkdir, -p, /x]\n${minimal}`);
    expect(warned.valid).toBe(true);
    expect(warned.diagnostics).toEqual([expect.objectContaining({ code: 'relative-program', severity: 'warning', pointer: '/preSwitch/hooks/0/0' })]);
    expect(errorsOf(`preSwitch:\n  hooks:\n    - command: ./setup\n${minimal}`)).toEqual(['relative-program /preSwitch/hooks/0/command']);
  });

  it('a command line in `command` without arguments is an error with the fix', () => {
    const result = validate(`preSwitch:\n  hooks:\n    - command: bash -e\n      input: echo hi\n${minimal}`);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'command-with-spaces', pointer: '/preSwitch/hooks/0/command' })]);
  });

  it('a sysctl number that is not a safe integer, or not an integer, is an error: it would be written rounded', () => {
    expect(errorsOf(`preSwitch:\n  sysctl:\n    kernel.shmmax: 18446744073692774399\n    vm.swappiness: 10\n    kernel.printk: "4 4 1 7"\n${minimal}`)).toEqual(['invalid-value /preSwitch/sysctl/kernel.shmmax']);
    expect(errorsOf(`preSwitch:\n  sysctl: {vm.dirty_ratio: 2.5}\n${minimal}`)).toEqual(['invalid-value /preSwitch/sysctl/vm.dirty_ratio']);
  });

  it('duplicate mount targets in a phase are reported at the second', () => {
    const text = `preSwitch:\n  mounts:\n    - {type: tmpfs, target: /data}\n    - {type: virtiofs, tag: d, target: /data/}\n${minimal}`;
    expect(validate(text).diagnostics).toEqual([expect.objectContaining({ code: 'duplicate-mount-target', pointer: '/preSwitch/mounts/1/target', line: 4 })]);
  });

  it('mounts over automatic places and over / are errors with a hint', () => {
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: tmpfs, target: /run}\n${minimal}`)).toEqual(['virtual-filesystem /preSwitch/mounts/0/target']);
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: virtiofs, tag: r, target: /}\n${minimal}`)).toEqual(['invalid-value /preSwitch/mounts/0/target']);
  });

  it.each(['proc', 'sysfs', 'devtmpfs', 'devpts'])('`type: %s` in mounts says it is mounted automatically', (type) => {
    const result = validate(`preSwitch:\n  mounts:\n    - type: ${type}\n      target: /x\n${minimal}`);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'virtual-filesystem', pointer: '/preSwitch/mounts/0/type', line: 3, column: 13 })]);
    expect(result.diagnostics[0]!.message).toContain('remove it from `mounts`');
  });

  it('`type: cgroup2` in mounts is an unknown type, not one mounted automatically', () => {
    const result = validate(`preSwitch:\n  mounts:\n    - type: cgroup2\n      target: /sys/fs/cgroup\n${minimal}`);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'invalid-value', pointer: '/preSwitch/mounts/0/type' })]);
    expect(result.diagnostics[0]!.message).not.toContain('mounted automatically');
  });

  it('an idmapped bind\'s ranges that end past the largest id or overlap are errors at the range or the list', () => {
    const bind = (idMap: string) => `preSwitch:\n  mounts:\n    - {type: bind, source: /a, target: /b, idMap: ${idMap}}\n${minimal}`;
    expect(errorsOf(bind('{users: "0 1000000 65536", groups: ["0 1000000", "4294967290 0 10"]}'))).toEqual(['invalid-value /preSwitch/mounts/0/idMap/groups/1']);
    const overlapping = validate(bind('{users: ["0 1000000 65536", "5 2000000 3"], groups: {internal: 0, external: 1000000, size: 65536}}'));
    expect(overlapping.diagnostics).toEqual([expect.objectContaining({ code: 'invalid-value', pointer: '/preSwitch/mounts/0/idMap/users', message: expect.stringContaining('overlap inside the namespace') as unknown })]);
    expect(errorsOf(bind('{users: "0 1000000 65536", groups: ["0 1000000", "1 1000001 5"]}'))).toEqual([]);
    // Only a bind takes idMap.
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: tmpfs, target: /b, idMap: {users: "0 1 1", groups: "0 1 1"}}\n${minimal}`)).toEqual(['unknown-key /preSwitch/mounts/0/idMap']);
  });

  it('a key of another mount type is unknown, not taken as that type\'s and then ignored', () => {
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: tmpfs, target: /b, source: /x}\n${minimal}`)).toEqual(['unknown-key /preSwitch/mounts/0/source']);
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: bind, source: /a, target: /b, tag: t}\n${minimal}`)).toEqual(['unknown-key /preSwitch/mounts/0/tag']);
    // The key of the value's own type, in a branch that fails for another reason, is not reported twice.
    expect(errorsOf(`preSwitch:\n  mounts:\n    - {type: virtiofs, tag: 5, target: /b}\n${minimal}`)).toEqual(['wrong-type /preSwitch/mounts/0/tag']);
  });

  it('initctl with an exec handoff is an error saying why; with the handoffs that keep bootstrap PID 1 it is valid', () => {
    const result = validate('postSwitch:\n  initctl: true\n  handoff: {mode: exec, program: /sbin/init}\n');
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'invalid-value', pointer: '/postSwitch/initctl', line: 2, column: 12 })]);
    expect(result.diagnostics[0]!.message).toContain('the exec handoff replaces it with /sbin/init');
    for (const handoff of ['{mode: shell}', '{mode: none}', '{mode: supervise, processes: {a: {program: /bin/a}}}']) {
      expect(errorsOf(`postSwitch:\n  initctl: true\n  handoff: ${handoff}\n`)).toEqual([]);
    }
    expect(errorsOf('postSwitch:\n  initctl: yes\n  handoff: {mode: shell}\n')).toEqual(['wrong-type /postSwitch/initctl']);
  });

  it('retries without onFailure Retry is a warning', () => {
    const result = validate(`preSwitch:\n  hooks:\n    - {command: /bin/true, retries: 3}\n${minimal}`);
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', pointer: '/preSwitch/hooks/0/retries' })]);
  });

  describe('modules against a readable modules.dep', () => {
    const dep = 'kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/a.ko\nkernel/fs/fuse/virtiofs.ko: kernel/fs/fuse/fuse.ko\nkernel/fs/fuse/fuse.ko:\n';
    const config = (names: string) => `preSwitch:\n  modules:\n    directory: /mods\n    depFilePath: modules.dep\n    names: [${names}]\n${minimal}`;
    const facts = { readFile: (path: string) => (path === '/mods/modules.dep' ? dep : undefined), checkModules };

    it('a dependency cycle is an error naming the cycle', () => {
      const result = validateConfigText(config('a'), facts);
      expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'module-cycle', pointer: '/preSwitch/modules/names', message: expect.stringContaining('a -> b -> a') as unknown })]);
    });

    it('an unknown module is an error with a suggestion', () => {
      const result = validateConfigText(config('virtiofz'), facts);
      expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'module-unknown', message: expect.stringContaining('virtiofs') as unknown })]);
    });

    it('an unknown module whose name contains "cycle" is unknown, not a cycle', () => {
      const result = validateConfigText(config('recycle'), facts);
      expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'module-unknown', pointer: '/preSwitch/modules/names' })]);
    });

    it('known modules pass, and nothing is checked when modules.dep is unreadable', () => {
      expect(validateConfigText(config('virtiofs'), facts).diagnostics).toEqual([]);
      expect(validateConfigText(config('a'), { ...facts, readFile: () => undefined }).diagnostics).toEqual([]);
    });

    it('a name modules.alias resolves is known, as the plan resolves it', () => {
      const tree: Record<string, string> = { '/mods/modules.dep': 'kernel/crypto/crc32c_generic.ko:\n', '/mods/modules.alias': 'alias crc32c crc32c_generic\n' };
      const aliased = { readFile: (path: string) => tree[path], checkModules };
      expect(validateConfigText(config('crc32c'), aliased).diagnostics).toEqual([]);
      expect(validateConfigText(config('crc32d'), aliased).diagnostics).toEqual([expect.objectContaining({ code: 'module-unknown', pointer: '/preSwitch/modules/names' })]);
    });
  });
});
