// docs/subhosts.md shows each .conf beside the YAML `subhost import` prints for it: the YAML blocks are checked
// against what the import prints today, so the document cannot drift from the code.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processIo } from '../../../src/cli/io';
import { runSubhostImport } from '../../../src/cli/verbs/subhost-import';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/subhosts.md'), 'utf8');

// <!-- example: DIR/NAME.conf -->, a ```conf block, then the next ```yaml block.
const examples = [...doc.matchAll(/<!-- example: (\S+) -->\n```conf\n([\s\S]*?)```\n[\s\S]*?```yaml\n([\s\S]*?)```\n/g)].map((match) => ({ name: match[1]!, conf: match[2]!, yaml: match[3]! }));

describe('docs/subhosts.md', () => {
  it("shows the manual's three examples and one more", () => {
    expect(examples.map((example) => example.name)).toEqual(['copy/copy.conf', 'tiny/tiny.conf', 'mta/mta.conf', 'web/web.conf']);
  });

  it.each(examples)('$name: the YAML block is what subhost import prints for the .conf block', async ({ name, conf, yaml }) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'subhost-doc-')));
    const file = join(dir, name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, conf);
    let stdout = '';
    const code = await runSubhostImport([file], { ...processIo, stdout: (text) => void (stdout += text), stderr: () => undefined });
    expect(code).toBe(0);
    expect(yaml, `regenerate the block from:\n${stdout}`).toBe(stdout);
  });
});
