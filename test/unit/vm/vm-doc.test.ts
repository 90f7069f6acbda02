// docs/vm.md shows the generated config and the marker lines: checked against what vm generates and parses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfigText } from '../../../src/config/validate-config';
import { guestConfig } from '../../../src/vm/guest-config';
import { parseGuestEvent } from '../../../src/vm/guest-marker';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/vm.md'), 'utf8');

describe('docs/vm.md', () => {
  it('shows the config vm generates for its example command, but for the wrapper text', () => {
    const shown = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(shown).toBeDefined();
    const documented = validateConfigText(shown!);
    expect(documented.diagnostics).toEqual([]);
    const generated = validateConfigText(guestConfig({ command: ['/bin/sh', '-c', 'echo hi; exit 7'], rw: false, io: { kind: 'pipes' }, cwd: undefined })).config!;
    const withoutWrapper = (config: typeof generated): unknown => {
      const handoff = config.postSwitch.handoff;
      return { ...config, postSwitch: { ...config.postSwitch, handoff: handoff.mode === 'shell' ? { ...handoff, arguments: handoff.arguments?.filter((_, index) => index !== 1) } : handoff } };
    };
    expect(withoutWrapper(documented.config!)).toEqual(withoutWrapper(generated));
  });

  it('lists marker lines vm reads as such', () => {
    const block = /```\n(bootstrap-vm: running[\s\S]*?)```/.exec(doc)?.[1];
    const lines = block!.trim().split('\n').map((line) => line.split(/\s{2,}/)[0]!);
    expect(lines.map(parseGuestEvent)).toEqual([{ kind: 'running' }, { kind: 'exit', status: 7 }, { kind: 'error', message: '...' }]);
  });
});
