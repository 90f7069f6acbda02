// The two examples of the config reference (shared/seeds/004), as a careful reader would judge them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';

const seed = (name: string): string => readFileSync(join(import.meta.dirname, '../../fixtures/seeds', name), 'utf8');

describe('the reference examples', () => {
  it('shell mode: a noExec root cannot run /bin/sh, reported at the noExec line', () => {
    const result = validateConfigText(seed('shell-mode.yaml'));
    expect(result.valid).toBe(false);
    expect(result.diagnostics).toEqual([
      {
        code: 'noexec-root',
        severity: 'error',
        pointer: '/switchRoot/rootFileSystem/noExec',
        line: 22,
        column: 13,
        message: 'the root is mounted noExec, so the shell handoff (/bin/sh) cannot be executed from it; remove `noExec`',
      },
    ]);
  });

  it('shell mode without noExec is valid, nulls and empty collections included', () => {
    const result = validateConfigText(seed('shell-mode.yaml').replace('    noExec: true\n', ''));
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.switchRoot?.rootFileSystem.readOnly).toBe(true);
    expect(result.config?.preSwitch?.modules).toBeNull();
  });

  it('supervise mode: http-server is indented one level too little, reported at its key with the fix', () => {
    const result = validateConfigText(seed('supervise-mode.yaml'));
    expect(result.valid).toBe(false);
    expect(result.diagnostics).toEqual([
      {
        code: 'unknown-key',
        severity: 'error',
        pointer: '/postSwitch/handoff/http-server',
        line: 33,
        column: 5,
        message: 'unknown key `http-server` in `handoff`; it looks like a process: indent it under `processes`',
      },
    ]);
  });

  it('supervise mode with http-server under processes is valid', () => {
    const fixed = seed('supervise-mode.yaml').replace(/^ {4}http-server:\n((?: {6}.*\n?)+)/m, (_, body: string) => `      http-server:\n${body.replace(/^/gm, '  ')}`);
    const result = validateConfigText(fixed);
    expect(result.diagnostics).toEqual([]);
    const handoff = result.config?.postSwitch.handoff;
    expect(handoff?.mode === 'supervise' && Object.keys(handoff.processes)).toEqual(['init', 'http-server']);
  });
});
