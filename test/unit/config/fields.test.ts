// Every field of the config language, with a valid and an invalid example each.
import { describe, expect, it } from 'vitest';
import { errorsOf, minimal, validate } from './validate-helpers';

const withPre = (body: string): string => `preSwitch:\n${body}\n${minimal}`;
const withRoot = (body: string): string => `switchRoot:\n  rootFileSystem:\n${body}\n${minimal}`;
const withHandoff = (body: string): string => `postSwitch:\n  handoff:\n${body}\n`;

interface Case {
  name: string;
  valid: string;
  invalid: string;
  /** `code pointer` of the error the invalid example must produce. */
  error: string;
}

const cases: Case[] = [
  { name: 'console', valid: `console: ttyS0\n${minimal}`, invalid: `console: ""\n${minimal}`, error: 'invalid-value /console' },
  { name: 'logLevel', valid: `logLevel: debug\n${minimal}`, invalid: `logLevel: loud\n${minimal}`, error: 'invalid-value /logLevel' },
  { name: 'emergency.action', valid: `emergency:\n  action: poweroff\n${minimal}`, invalid: `emergency:\n  action: explode\n${minimal}`, error: 'invalid-value /emergency/action' },
  { name: 'emergency.shell', valid: `emergency:\n  shell: /bin/ash\n${minimal}`, invalid: `emergency:\n  shell: sh\n${minimal}`, error: 'invalid-value /emergency/shell' },
  { name: 'modules.mode', valid: withPre('  modules:\n    mode: list\n    names: [virtiofs]'), invalid: withPre('  modules:\n    mode: auto\n    names: [virtiofs]'), error: 'invalid-value /preSwitch/modules/mode' },
  { name: 'modules.directory', valid: withPre('  modules:\n    directory: /lib/modules/6.1.0\n    names: [virtiofs]'), invalid: withPre('  modules:\n    directory: lib/modules\n    names: [virtiofs]'), error: 'invalid-value /preSwitch/modules/directory' },
  { name: 'modules.names', valid: withPre('  modules:\n    names: [kernel/fs/fuse/virtiofs.ko.xz, virtio-pci]'), invalid: withPre('  modules:\n    names: []'), error: 'invalid-value /preSwitch/modules/names' },
  { name: 'modules.depFilePath', valid: withPre('  modules:\n    names: [a]\n    depFilePath: modules.dep'), invalid: withPre('  modules:\n    names: [a]\n    depFilePath: 7'), error: 'wrong-type /preSwitch/modules/depFilePath' },
  { name: 'modules.parameters', valid: withPre('  modules:\n    names: [a]\n    parameters:\n      a: "x=1 y=2"'), invalid: withPre('  modules:\n    names: [a]\n    parameters:\n      a: [x]'), error: 'wrong-type /preSwitch/modules/parameters/a' },
  { name: 'modules null', valid: withPre('  modules: null'), invalid: withPre('  modules: virtiofs'), error: 'wrong-type /preSwitch/modules' },
  { name: 'mounts virtiofs', valid: withPre('  mounts:\n    - {type: virtiofs, tag: data, target: /data}'), invalid: withPre('  mounts:\n    - {type: virtiofs, target: /data}'), error: 'missing-key /preSwitch/mounts/0' },
  { name: 'mounts 9p', valid: withPre('  mounts:\n    - {type: 9p, tag: data, target: /data}'), invalid: withPre('  mounts:\n    - {type: 9p, tag: "", target: /data}'), error: 'invalid-value /preSwitch/mounts/0/tag' },
  { name: 'mounts device', valid: withPre('  mounts:\n    - {type: device, device: LABEL=data, fsType: ext4, target: /data}'), invalid: withPre('  mounts:\n    - {type: device, device: vdb, target: /data}'), error: 'invalid-value /preSwitch/mounts/0/device' },
  { name: 'mounts nfs', valid: withPre('  mounts:\n    - {type: nfs, server: 10.0.2.2, export: /srv, target: /srv}'), invalid: withPre('  mounts:\n    - {type: nfs, server: 10.0.2.2, target: /srv}'), error: 'missing-key /preSwitch/mounts/0' },
  { name: 'mounts overlay', valid: withPre('  mounts:\n    - {type: overlay, lower: [/a, /b], upper: /u, work: /w, target: /o}'), invalid: withPre('  mounts:\n    - {type: overlay, lower: /a, upper: /u, target: /o}'), error: 'missing-key /preSwitch/mounts/0' },
  { name: 'mounts tmpfs', valid: withPre('  mounts:\n    - {type: tmpfs, target: /tmp, size: 64m, mode: "1777"}'), invalid: withPre('  mounts:\n    - {type: tmpfs, target: /tmp, size: big}'), error: 'invalid-value /preSwitch/mounts/0/size' },
  { name: 'mounts bind', valid: withPre('  mounts:\n    - {type: bind, source: /a, target: /b}'), invalid: withPre('  mounts:\n    - {type: bind, target: /b}'), error: 'missing-key /preSwitch/mounts/0' },
  { name: 'mounts target', valid: withPre('  mounts:\n    - {type: tmpfs, target: /tmp}'), invalid: withPre('  mounts:\n    - {type: tmpfs, target: tmp}'), error: 'invalid-value /preSwitch/mounts/0/target' },
  { name: 'mounts onFailure', valid: withPre('  mounts:\n    - {type: tmpfs, target: /tmp, onFailure: Warn}'), invalid: withPre('  mounts:\n    - {type: tmpfs, target: /tmp, onFailure: warn}'), error: 'invalid-value /preSwitch/mounts/0/onFailure' },
  { name: 'mounts timeout', valid: withPre('  mounts:\n    - {type: virtiofs, tag: t, target: /t, timeout: 500ms}'), invalid: withPre('  mounts:\n    - {type: virtiofs, tag: t, target: /t, timeout: 5}'), error: 'wrong-type /preSwitch/mounts/0/timeout' },
  { name: 'mounts options', valid: withPre('  mounts:\n    - {type: virtiofs, tag: t, target: /t, options: "dax"}'), invalid: withPre('  mounts:\n    - {type: virtiofs, tag: t, target: /t, options: [dax]}'), error: 'wrong-type /preSwitch/mounts/0/options' },
  ...(['readOnly', 'noExec', 'noSuid', 'noDev', 'sync', 'dirSync', 'mandatoryLocks', 'posixAcl'] as const).map((flag) => ({
    name: `root ${flag}`,
    valid: withRoot(`    type: virtiofs\n    tag: rootfs\n    ${flag}: ${flag === 'noExec' ? 'false' : 'true'}`),
    invalid: withRoot(`    type: virtiofs\n    tag: rootfs\n    ${flag}: "yes"`),
    error: `wrong-type /switchRoot/rootFileSystem/${flag}`,
  })),
  ...(['noAtime', 'relAtime', 'strictAtime', 'lazyTime'] as const).map((atime) => ({
    name: `root atime ${atime}`,
    valid: withRoot(`    type: virtiofs\n    tag: rootfs\n    atime: ${atime}`),
    invalid: withRoot(`    type: virtiofs\n    tag: rootfs\n    atime: ${atime.toLowerCase()}`),
    error: 'invalid-value /switchRoot/rootFileSystem/atime',
  })),
  { name: 'root virtiofs', valid: withRoot('    type: virtiofs\n    tag: rootfs'), invalid: withRoot('    type: virtiofs'), error: 'missing-key /switchRoot/rootFileSystem' },
  { name: 'root 9p', valid: withRoot('    type: 9p\n    tag: rootfs'), invalid: withRoot('    type: 9p\n    tag: 5'), error: 'wrong-type /switchRoot/rootFileSystem/tag' },
  { name: 'root device', valid: withRoot('    type: device\n    device: /dev/vda1\n    fsType: ext4'), invalid: withRoot('    type: device\n    fsType: ext4'), error: 'missing-key /switchRoot/rootFileSystem' },
  { name: 'root nfs', valid: withRoot('    type: nfs\n    server: 192.168.1.1\n    export: /exports/rootfs'), invalid: withRoot('    type: nfs\n    server: 192.168.1.1\n    export: exports'), error: 'invalid-value /switchRoot/rootFileSystem/export' },
  { name: 'root overlay', valid: withRoot('    type: overlay\n    lower: /lower\n    upper: /upper\n    work: /work'), invalid: withRoot('    type: overlay\n    lower: /lower\n    upper: /upper'), error: 'missing-key /switchRoot/rootFileSystem' },
  { name: 'root type', valid: withRoot('    type: virtiofs\n    tag: rootfs'), invalid: withRoot('    type: virtfs\n    tag: rootfs'), error: 'invalid-value /switchRoot/rootFileSystem/type' },
  { name: 'root overlay flag', valid: withRoot('    type: virtiofs\n    tag: rootfs\n    overlay: true'), invalid: withRoot('    type: virtiofs\n    tag: rootfs\n    overlay: tmpfs'), error: 'wrong-type /switchRoot/rootFileSystem/overlay' },
  { name: 'root target', valid: withRoot('    type: virtiofs\n    tag: rootfs\n    target: /guest'), invalid: withRoot('    type: virtiofs\n    tag: rootfs\n    target: guest'), error: 'invalid-value /switchRoot/rootFileSystem/target' },
  { name: 'hooks string', valid: withPre('  hooks:\n    - echo hello'), invalid: withPre('  hooks:\n    - ""'), error: 'invalid-value /preSwitch/hooks/0' },
  { name: 'hooks argv', valid: withPre('  hooks:\n    - [/bin/echo, hello]'), invalid: withPre('  hooks:\n    - []'), error: 'invalid-value /preSwitch/hooks/0' },
  { name: 'hooks object', valid: withPre('  hooks:\n    - command: /bin/sh\n      arguments: [-e]\n      input: "echo hi"\n      timeout: 30s\n      onFailure: Retry\n      retries: 2\n      retryDelay: 500ms'), invalid: withPre('  hooks:\n    - command: /bin/sh\n      retries: 0'), error: 'invalid-value /preSwitch/hooks/0/retries' },
  { name: 'hooks object timeout', valid: withPre('  hooks:\n    - {command: /bin/true, timeout: 2m}'), invalid: withPre('  hooks:\n    - {command: /bin/true, timeout: 2 minutes}'), error: 'invalid-value /preSwitch/hooks/0/timeout' },
  { name: 'hooks type', valid: withPre('  hooks: null'), invalid: withPre('  hooks:\n    - 42'), error: 'wrong-type /preSwitch/hooks/0' },
  { name: 'symlinks', valid: withPre('  symlinks:\n    - {path: /bin/sh, target: busybox}'), invalid: withPre('  symlinks:\n    - {path: /bin/sh}'), error: 'missing-key /preSwitch/symlinks/0' },
  { name: 'sysctl', valid: withPre('  sysctl:\n    net.core.somaxconn: 1024\n    kernel/printk: "4 4 1 7"\n    vm.overcommit_memory: true'), invalid: withPre('  sysctl:\n    "bad name!": 1'), error: 'invalid-value /preSwitch/sysctl/bad name!' },
  { name: 'sysctl value', valid: withPre('  sysctl: {}'), invalid: withPre('  sysctl:\n    net.core.somaxconn: [1]'), error: 'wrong-type /preSwitch/sysctl/net.core.somaxconn' },
  { name: 'tmpfiles', valid: withPre('  tmpfiles:\n    - {path: /run/x, type: directory, mode: "0755", user: 0, group: root}\n    - {path: /run/y, content: "hi\\n"}'), invalid: withPre('  tmpfiles:\n    - {path: /run/x, type: fifo}'), error: 'invalid-value /preSwitch/tmpfiles/0/type' },
  { name: 'tmpfiles mode', valid: withPre('  tmpfiles:\n    - {path: /run/x, mode: "644"}'), invalid: withPre('  tmpfiles:\n    - {path: /run/x, mode: 0644}'), error: 'wrong-type /preSwitch/tmpfiles/0/mode' },
  { name: 'tmpfiles owner', valid: withPre('  tmpfiles:\n    - {path: /run/x, user: 1000}'), invalid: withPre('  tmpfiles:\n    - {path: /run/x, user: -1}'), error: 'invalid-value /preSwitch/tmpfiles/0/user' },
  { name: 'environment', valid: withPre('  environment:\n    PATH: /bin\n    DEBUG: 1'), invalid: withPre('  environment:\n    1BAD: x'), error: 'invalid-value /preSwitch/environment/1BAD' },
  { name: 'handoff exec', valid: withHandoff('    mode: exec\n    program: /sbin/init\n    arguments: [--log, 3]'), invalid: withHandoff('    mode: exec'), error: 'missing-key /postSwitch/handoff' },
  { name: 'handoff shell', valid: withHandoff('    mode: shell\n    onExit: reboot'), invalid: withHandoff('    mode: shell\n    onExit: explode'), error: 'invalid-value /postSwitch/handoff/onExit' },
  { name: 'handoff supervise', valid: withHandoff('    mode: supervise\n    processes:\n      web:\n        program: /usr/bin/nginx\n        arguments: [-g, "daemon off;"]'), invalid: withHandoff('    mode: supervise\n    processes: {}'), error: 'invalid-value /postSwitch/handoff/processes' },
  { name: 'handoff mode', valid: withHandoff('    mode: shell'), invalid: withHandoff('    mode: systemd'), error: 'invalid-value /postSwitch/handoff/mode' },
  { name: 'bootScript', valid: withHandoff('    mode: shell\n    bootScript:\n      path: /etc/boot.sh\n      onFailure: Warn'), invalid: withHandoff('    mode: shell\n    bootScript:\n      path: /etc/boot.sh\n      onFailure: Ignore'), error: 'invalid-value /postSwitch/handoff/bootScript/onFailure' },
  { name: 'postSwitch phase fields', valid: `postSwitch:\n  mounts:\n    - {type: tmpfs, target: /tmp}\n  sysctl: {kernel.printk: "4"}\n  handoff: {mode: shell}\n`, invalid: `postSwitch:\n  mount: []\n  handoff: {mode: shell}\n`, error: 'unknown-key /postSwitch/mount' },
];

describe('config fields', () => {
  it.each(cases)('$name: valid example passes', ({ valid }) => {
    expect(errorsOf(valid)).toEqual([]);
  });
  it.each(cases)('$name: invalid example is rejected with $error', ({ invalid, error }) => {
    const result = validate(invalid);
    expect(result.valid).toBe(false);
    expect(errorsOf(invalid)).toContain(error);
  });
});

describe('reserved fields', () => {
  it.each(['security', 'clock'])('%s is rejected as not supported yet, at its key', (field) => {
    const result = validate(`${minimal}${field}:\n  enabled: true\n`);
    expect(result.diagnostics).toEqual([
      { code: 'unsupported-field', severity: 'error', pointer: `/${field}`, line: 5, column: 1, message: `\`${field}\` is not supported yet; remove it` },
    ]);
  });
});
