import { defineConfig, type Plugin } from 'vitest/config';

// Templates are imported as text, as esbuild's text loader does in the build.
const yamlAsText: Plugin = {
  name: 'yaml-as-text',
  transform(code, id) {
    return id.endsWith('.yaml') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

// The QEMU tests that boot Debian 13's 6.12 as well: an exec handoff over virtiofs and the other roots, the supervise
// handoff with ctl status, and modules through the kernel's own decompressor. The whole tier on 6.12 is
// `BOOTSTRAP_TEST_KERNEL=6.12 vitest run test/vm --project default` (docs/test-bed.md says why CI runs only these).
const kernel612Tests = ['test/vm/boot-modules.test.ts', 'test/vm/boot-roots.test.ts', 'test/vm/boot-supervise.test.ts'];

export default defineConfig({
  plugins: [yamlAsText],
  test: {
    testTimeout: 30_000,
    hookTimeout: 600_000,
    pool: 'forks',
    projects: [
      // Every test; the VM tier boots the kernel BOOTSTRAP_TEST_KERNEL names (6.1 when unset).
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'kernel-6.12', include: kernel612Tests, env: { BOOTSTRAP_TEST_KERNEL: '6.12' } } },
    ],
  },
});
