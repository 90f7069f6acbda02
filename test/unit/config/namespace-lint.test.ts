// `namespaces` and `idMap` beyond the schema: which namespaces need which, and id maps the kernel or the boot refuse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsOf, minimal, validate } from './validate-helpers';

const lcbootIdMap = `idMap:
  users: 0 1000000 65536
  groups:
    - 0 1000000
    - 1 1000001 1
    - internal: 2
      external: 1000002
    - internal: 3
      external: 1000003
      size: 65533
`;

describe('namespaces and idMap', () => {
  it("lcboot's example set and id_map, written as in its init.yml, are valid", () => {
    expect(validate(`namespaces: [user, mount, uts, ipc, net, cgroup]\n${lcbootIdMap}${minimal}`).diagnostics).toEqual([]);
  });

  it("docs/container-entry.md's bootstrap config, beside lcboot's init.yml, is valid as printed", () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/container-entry.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(/^root: \/mnt\/root/);
    expect(validate(blocks[1] ?? '').diagnostics).toEqual([]);
  });

  it('user needs idMap, idMap needs user, pid needs mount', () => {
    expect(errorsOf(`namespaces: [user, mount]\n${minimal}`)).toEqual(['id-map-required /namespaces/0']);
    expect(errorsOf(`namespaces: [mount]\n${lcbootIdMap}${minimal}`)).toEqual(['id-map-unused /idMap']);
    expect(errorsOf(`${lcbootIdMap}${minimal}`)).toEqual(['id-map-unused /idMap']);
    expect(errorsOf(`namespaces: [pid, uts]\n${minimal}`)).toEqual(['namespace-combination /namespaces']);
    expect(errorsOf(`namespaces: [pid, mount]\n${minimal}`)).toEqual([]);
  });

  it('maps without id 0 inside, overlapping ranges and ranges past the last id are errors at the map, saying why', () => {
    const result = validate(`namespaces: [user]\nidMap:\n  users: "1 1000001 10"\n  groups: ["0 1000000 10", "5 2000000 1"]\n${minimal}`);
    expect(result.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.pointer, diagnostic.line])).toEqual([
      ['id-map', '/idMap/users', 3],
      ['id-map-overlap', '/idMap/groups', 4],
    ]);
    expect(result.diagnostics[0]?.message).toMatch(/no range maps uid 0 inside: the boot goes on as the namespace's root/);
    expect(result.diagnostics[1]?.message).toMatch(/ranges 0 1000000 10 and 5 2000000 1 overlap inside the namespace/);
    expect(errorsOf(`namespaces: [user]\nidMap:\n  users: "0 4294967000 1000"\n  groups: "0 0 1"\n${minimal}`)).toEqual(['invalid-value /idMap/users']);
  });
});
