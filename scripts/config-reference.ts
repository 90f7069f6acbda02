// Renders docs/config-reference.md from the JSON Schema, so the reference can never disagree with validation.

type Node = { [key: string]: unknown };

const sections: { title: string; def: string; intro?: string }[] = [
  { title: 'Top level', def: '#', intro: 'The file is a YAML mapping. Only `postSwitch.handoff` is required.' },
  { title: 'emergency', def: 'emergency' },
  { title: 'preSwitch / postSwitch (a phase)', def: 'phase', intro: 'Both phases take these fields; `postSwitch` adds `handoff` and `initctl` (below). Empty values (`null`, `[]`, `{}`) mean nothing to do.' },
  { title: 'postSwitch', def: 'postSwitch', intro: 'The fields of a phase (above), and:' },
  { title: 'modules', def: 'modules' },
  { title: 'Mount options (every mount and the root)', def: 'mountOptions' },
  { title: 'mounts[]', def: 'mount', intro: 'Each mount is one of the filesystem types below plus `target`, `onFailure` and the mount options. proc, sysfs, devtmpfs, devpts, /dev/shm and /run are mounted automatically and are rejected here.' },
  { title: 'type: virtiofs', def: 'virtiofs' },
  { title: 'type: 9p', def: 'ninep' },
  { title: 'type: device', def: 'device' },
  { title: 'type: nfs', def: 'nfs' },
  { title: 'type: overlay', def: 'overlay' },
  { title: 'type: tmpfs (mounts only)', def: 'tmpfs' },
  { title: 'type: bind (mounts only)', def: 'bind' },
  {
    title: 'idMap (the top level, and bind mounts)',
    def: 'idMap',
    intro:
      'The uid and gid maps of a user namespace, in lcboot\'s three forms. Each of `users` and `groups` is one range or a list of up to 340: `"0 1000000 65536"` (internal, external, size), `"0 1000000"` (size 1), or `{internal: 0, external: 1000000, size: 65536}`. Ranges may not overlap, inside or outside.',
  },
  { title: 'switchRoot', def: 'switchRoot' },
  { title: 'switchRoot.rootFileSystem', def: 'rootFileSystem', intro: 'One of virtiofs, 9p, device, nfs, overlay (fields above) plus the mount options and:' },
  { title: 'hooks[]', def: 'hookCommand', intro: 'A hook is a string (run with `/bin/sh -c`), a list (`[program, arg, ...]`, run directly) or a mapping:' },
  { title: 'symlinks[]', def: 'symlink' },
  { title: 'tmpfiles[]', def: 'tmpfile' },
  { title: 'handoff: mode exec', def: 'execHandoff' },
  { title: 'handoff: mode shell', def: 'shellHandoff' },
  { title: 'handoff: mode supervise', def: 'superviseHandoff' },
  { title: 'handoff: mode none', def: 'noneHandoff' },
  { title: 'processes.NAME', def: 'process' },
  { title: 'bootScript', def: 'bootScript' },
  { title: 'idMap', def: 'idMap', intro: 'The uid and gid maps of a user namespace (lcboot\'s id_map). Each of `users` and `groups` is one range or a list of ranges; a range is `"internal external"` (size 1), `"internal external size"`, or `{internal, external, size}`.' },
  { title: 'subhost', def: 'subhost' },
  { title: 'subhost.root', def: 'subhostRoot' },
  { title: 'subhost.share[]', def: 'share' },
  { title: 'subhost.cables[]', def: 'cable' },
];

/** Definitions documented under another section's anchor. */
const anchors: Record<string, string> = { postSwitch: 'phase', hook: 'hookCommand', rootFileSystem: 'rootFileSystem', idRanges: 'idMap', handoff: 'execHandoff' };

function refName(ref: string): string {
  return ref.replace('#/$defs/', '');
}

function typeOf(node: Node, defs: Record<string, Node>): string {
  if (typeof node['$ref'] === 'string') {
    const name = refName(node['$ref']);
    const target = defs[name]!;
    if (name === 'reserved') return 'reserved';
    if (['duration', 'absolutePath', 'fileMode', 'onFailure', 'logLevel', 'program', 'arguments', 'owner', 'sysctl', 'environment', 'namespaces', 'namespaceName', 'idRanges'].includes(name)) return typeOf(target, defs);
    if (name === 'idRange') return 'range';
    if (name === 'interfaceName') return 'interface name';
    if (name === 'macAddress') return 'MAC address (`02:00:00:00:00:01`)';
    const anchor = anchors[name] ?? name;
    return `[${name}](#${anchor.toLowerCase()})`;
  }
  if ('const' in node) return `\`${String(node['const'])}\``;
  if (Array.isArray(node['enum'])) return (node['enum'] as unknown[]).map((value) => `\`${String(value)}\``).join(' \\| ');
  // `allOf: [{$ref}]` beside a description: a reference whose named type keeps its own description.
  const allOf = node['allOf'] as Node[] | undefined;
  if (allOf?.length === 1 && node['type'] === undefined) return typeOf(allOf[0]!, defs);
  const anyOf = (node['anyOf'] ?? node['oneOf']) as Node[] | undefined;
  if (anyOf) return anyOf.map((branch) => typeOf(branch, defs)).join(' or ');
  const types = Array.isArray(node['type']) ? (node['type'] as string[]) : node['type'] ? [node['type'] as string] : [];
  if (types.includes('array')) {
    const items = node['items'] as Node | undefined;
    return `list of ${items ? typeOf(items, defs) : 'values'}${types.includes('null') ? ' or null' : ''}`;
  }
  if (types.includes('object') && typeof node['additionalProperties'] === 'object') {
    return `map of ${typeOf(node['additionalProperties'] as Node, defs)}${types.includes('null') ? ' or null' : ''}`;
  }
  if (node['pattern'] === '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$') return 'duration (`500ms`, `30s`, `2m`)';
  if (node['pattern'] === '^/') return 'absolute path';
  if (node['pattern'] === '^0?[0-7]{3,4}$') return 'octal mode string (`"0644"`)';
  return types.join(' or ') || 'any';
}

function describe(node: Node, defs: Record<string, Node>): string {
  const own = node['description'];
  if (typeof own === 'string') return own;
  for (const inner of [node, node['items'] as Node | undefined]) {
    if (inner && typeof inner['$ref'] === 'string') {
      const target = defs[refName(inner['$ref'])];
      if (target && typeof target['description'] === 'string') return target['description'];
    }
  }
  return '';
}

function table(schema: Node, defs: Record<string, Node>): string {
  const properties = (schema['properties'] ?? {}) as Record<string, Node>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const rows = Object.entries(properties).map(([key, property]) => {
    const target = typeof property['$ref'] === 'string' ? defs[refName(property['$ref'])] : undefined;
    const defaultValue = 'default' in property ? property['default'] : target && 'default' in target ? target['default'] : undefined;
    const fallback = defaultValue !== undefined ? `\`${JSON.stringify(defaultValue)}\`` : required.has(key) ? '**required**' : '';
    return `| \`${key}\` | ${typeOf(property, defs)} | ${fallback} | ${describe(property, defs).replace(/\|/g, '\\|')} |`;
  });
  return ['| key | type | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The reference document for a schema. */
export function configReference(schema: Node): string {
  const defs = schema['$defs'] as Record<string, Node>;
  const parts = [
    '<!-- Generated by scripts/generate.ts from schema/bootstrap.schema.json: do not edit. -->',
    '# Configuration reference',
    '',
    `${String(schema['description'])} Check a file with \`bootstrap validate FILE\`; print a starting point with \`bootstrap config-template --mode shell|supervise|exec\`.`,
    '',
    'Keys are camelCase. Unknown keys are errors (with a "did you mean"). `security` and `clock` are reserved and rejected as not supported yet.',
  ];
  for (const section of sections) {
    const node = section.def === '#' ? schema : defs[section.def]!;
    parts.push('', `<a id="${section.def === '#' ? 'top-level' : section.def.toLowerCase()}"></a>`, `## ${section.title}`, '');
    const description = section.intro ?? (typeof node['description'] === 'string' ? node['description'] : undefined);
    if (description) parts.push(description, '');
    parts.push(table(node, defs));
  }
  return `${parts.join('\n')}\n`;
}
