// The schema is the single source of truth: the committed types and validator must be what it generates.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('generated code', () => {
  it('matches schema/bootstrap.schema.json (run `npm run generate` after changing the schema)', () => {
    const root = join(import.meta.dirname, '../../..');
    const run = (): string => execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate.ts', '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    expect(run).not.toThrow();
  }, 60_000);
});
