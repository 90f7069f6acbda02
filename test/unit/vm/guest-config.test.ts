// guestConfig and wrapperScript: the generated config is valid, carries the command untouched, and loads what the boot needs.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { buildPlan } from '../../../src/plan/build-plan';
import { GUEST_PACKED_MODULES, guestConfig, guestModules, shellQuote, wrapperScript } from '../../../src/vm/guest-config';

const awkward = ['/bin/sh', '-c', `printf '%s|' "$@"`, 'zero', "it's", 'two words', '$HOME', '"q"', '*', ''];

function parsed(text: string) {
  const result = validateConfigText(text);
  expect(result.diagnostics).toEqual([]);
  return result.config!;
}

describe('guestConfig', () => {
  it('is a valid config whose shell handoff runs the wrapper on hvc0 and the command as its arguments, unchanged', () => {
    const config = parsed(guestConfig({ command: awkward, rw: false, io: { kind: 'pipes' }, cwd: undefined }));
    expect(config.console).toBe('ttyS0');
    expect(config.switchRoot?.rootFileSystem).toMatchObject({ type: 'virtiofs', tag: 'rootfs', overlay: true });
    const handoff = config.postSwitch.handoff;
    expect(handoff).toMatchObject({ mode: 'shell', terminal: 'hvc0', program: '/bin/sh', onExit: 'poweroff' });
    if (handoff.mode !== 'shell') throw new Error('not a shell handoff');
    expect(handoff.arguments?.slice(3)).toEqual(awkward);
    expect(buildPlan(config).at(-1)).toMatchObject({ kind: 'handoff', handoff: { mode: 'shell', terminal: '/dev/hvc0' } });
  });

  it('writes through with --rw (no overlay module) and passes TERM to a terminal', () => {
    const config = parsed(guestConfig({ command: ['/bin/true'], rw: true, io: { kind: 'terminal', rows: 40, columns: 120, term: 'xterm-256color' }, cwd: undefined }));
    expect(config.switchRoot?.rootFileSystem).toMatchObject({ overlay: false });
    expect(config.preSwitch?.modules?.names).toEqual(guestModules(true));
    expect(guestModules(true)).not.toContain('overlay');
    expect(guestModules(false)).toEqual(expect.arrayContaining(['virtio_pci', 'virtiofs', 'virtio_console', 'overlay']));
    expect(GUEST_PACKED_MODULES).toEqual(expect.arrayContaining([...guestModules(true), ...guestModules(false)]));
    expect(config.postSwitch.environment).toEqual({ TERM: 'xterm-256color' });
  });

  it('sizes a terminal, silences one that feeds pipes, and finds the ports only then', () => {
    const terminal = wrapperScript({ io: { kind: 'terminal', rows: 40, columns: 120, term: undefined }, cwd: undefined });
    expect(terminal).toContain('stty susp undef rows 40 cols 120 2>/dev/null');
    expect(terminal).not.toContain('bootstrap.stdout');
    expect(terminal).toMatch(/^"\$@"$/m);
    const pipes = wrapperScript({ io: { kind: 'pipes' }, cwd: '/home/me' });
    expect(pipes).toContain('stty susp undef -echo 2>/dev/null');
    expect(pipes).toMatch(/^"\$@" >"\$out" 2>"\$err"$/m);
    expect(pipes).toContain("cd '/home/me' 2>/dev/null || cd /");
    // The text PID 1 logs when it starts the wrapper must never read as a marker line.
    for (const script of [terminal, pipes]) expect(script).not.toMatch(/^bootstrap-vm: /m);
  });
});

describe('shellQuote', () => {
  it('gives sh back every word as it was', () => {
    const words = ['plain', "it's", "''", 'a b', '$(echo no)', '`no`', '\\n', '*'];
    const run = spawnSync('/bin/sh', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(run.stdout).toBe(`${words.join('\n')}\n`);
  });
});
