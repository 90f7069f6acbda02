// Parses YAML text into data while keeping every node's position, so findings can name line:column.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Diagnostic, Finding } from './diagnostic';
import { toPointer } from './diagnostic';

export interface YamlSource {
  data: unknown;
  /** Places a finding in the text: the deepest node on its path that exists. */
  locate(finding: Finding): Diagnostic;
  /** Syntax problems; when any is an error, `data` must not be trusted. */
  problems: Diagnostic[];
}

/** Parses text; never throws. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys compares each key with every earlier one (n^2 for a big mapping): duplicateKeys does it in one pass.
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, version: '1.2' });
  const place = (offset: number): { line: number; column: number } => {
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
  const problems: Diagnostic[] = [
    ...document.errors.map((error): Diagnostic => {
      const duplicate = error.code === 'DUPLICATE_KEY';
      return {
        code: duplicate ? 'yaml-duplicate-key' : 'yaml-syntax',
        severity: 'error',
        pointer: '',
        ...place(error.pos[0]),
        message: duplicate ? `${firstLine(error.message)}; each key may appear once in a mapping` : firstLine(error.message),
      };
    }),
    ...duplicateKeys(document).map((key): Diagnostic => ({
      code: 'yaml-duplicate-key',
      severity: 'error',
      pointer: '',
      ...place(key.range?.[0] ?? 0),
      message: `Map keys must be unique: ${JSON.stringify(String(key.value))} appears twice; each key may appear once in a mapping`,
    })),
  ];
  let data: unknown;
  if (problems.length === 0) {
    try {
      data = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // Aliases are resolved only here: an alias before its anchor, or an alias bomb.
      const message = firstLine((error as Error).message);
      const alias = /alias[^:]*: (\S+)$/i.exec(message)?.[1];
      const at = alias === undefined ? -1 : text.indexOf(`*${alias}`);
      problems.push({ code: 'yaml-syntax', severity: 'error', pointer: '', ...place(Math.max(at, 0)), message });
    }
  }
  return {
    data,
    problems,
    locate: (finding) => ({
      code: finding.code,
      severity: finding.severity,
      pointer: toPointer(finding.path),
      ...place(offsetOf(document, finding.path, finding.at ?? 'value')),
      message: finding.message,
    }),
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

// Every scalar key that repeats an earlier key of its mapping, as the data would see it (`1` and "1" are one key there).
function duplicateKeys(document: Document): Scalar[] {
  const repeated: Scalar[] = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) repeated.push(pair.key);
        seen.add(key);
      }
    },
  });
  return repeated;
}

// Each mapping's pairs by key, built on first use: placing n findings in a mapping of n keys stays linear.
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const item of map.items) {
      // The first of equal keys, as a search from the start would find.
      if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
    }
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

// Walks the node tree along the path; stops at the deepest node that exists.
function offsetOf(document: Document, path: readonly (string | number)[], at: 'key' | 'value'): number {
  let node: Node | null | undefined = document.contents;
  let offset = node?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      if (last && at === 'key') return key.range?.[0] ?? offset;
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? key.range?.[0] ?? offset;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}
