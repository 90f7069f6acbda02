// postSwitch modules come from the real root's module tree, read after the switch, not from the initramfs's.
import { describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

describe('postSwitch modules', () => {
  it("are resolved against the new root's modules.dep once switched into it", () => {
    const result = fixtureResult<{ loaded: { path: string; params: string }[]; statuses: string[]; error?: string; kernel: string }>(runFixture('post-switch-modules'));
    expect(result.error).toBeUndefined();
    const tree = `/lib/modules/${result.kernel}/kernel/test`;
    expect(result.loaded).toEqual([
      { path: `${tree}/bt_core.ko`, params: '' },
      { path: `${tree}/bt_glue.ko`, params: 'mode=2' },
      { path: `${tree}/bt_net.ko`, params: '' },
    ]);
  });
});
