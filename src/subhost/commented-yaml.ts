// Builds YAML nodes with comments where a reader looks for them: after a value on its line, or above a key.
import { Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

/** One key of a mapping: its value, a comment after the value (one line), and comment lines above the key. */
export interface Entry {
  key: string;
  value: Node;
  /** After the value on the key's line; only a scalar value has one. */
  comment?: string;
  /** Above the key, one sentence a line or wrapped. */
  above?: string[];
}

/** Comment text as yaml wants it: each line after its `#` starts with a space. */
export function commentText(lines: readonly string[]): string {
  return lines.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
}

/** A scalar, with a comment after it on its line. */
export function scalar(value: string | number | boolean, comment?: string): Scalar {
  const node = new Scalar(value);
  if (comment !== undefined) node.comment = commentText([comment]);
  return node;
}

/** A mapping of `entries` in their order; keys are data (a key named `__proto__` is a key like any other). */
export function mapping(entries: readonly Entry[], flow = false): YAMLMap {
  const map = new YAMLMap();
  map.flow = flow;
  for (const entry of entries) {
    const key = new Scalar(entry.key);
    if (entry.above !== undefined && entry.above.length > 0) key.commentBefore = commentText(entry.above);
    if (entry.comment !== undefined) {
      if (!(entry.value instanceof Scalar)) throw new TypeError(`mapping: the comment of ${entry.key} needs a scalar value; put it above the key`);
      entry.value.comment = commentText([entry.comment]);
    }
    map.add(new Pair(key, entry.value));
  }
  return map;
}

/** A list of nodes; `flow` writes it on one line (`[a, b]`). */
export function list(items: readonly Node[], flow = false): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = flow;
  for (const item of items) seq.add(item);
  return seq;
}

/** Words wrapped into comment lines of at most `width` characters (a word longer than that gets a line of its own). */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
