import { defineConfig, type Plugin } from 'vitest/config';

// Templates are imported as text, as esbuild's text loader does in the build.
const yamlAsText: Plugin = {
  name: 'yaml-as-text',
  transform(code, id) {
    return id.endsWith('.yaml') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined;
  },
};

export default defineConfig({
  plugins: [yamlAsText],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
