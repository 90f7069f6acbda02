// Parses /proc/self/mountinfo text: which filesystems are mounted where.
import { readFileSync } from 'node:fs';

export interface MountInfoEntry {
  mountId: number;
  parentId: number;
  device: string;
  root: string;
  mountPoint: string;
  options: string;
  fsType: string;
  source: string;
  superOptions: string;
}

// mountinfo escapes space, tab, newline and backslash as octal (\040). Most fields have no escape: they skip the
// regular expression, which PID 1 runs interpreted during the boot (several mount steps read this file).
function unescape(field: string): string {
  if (!field.includes('\\')) return field;
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The entries of a mountinfo text; malformed lines are skipped (the kernel does not write them). */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const head = line.slice(0, separator).split(' ');
    const tail = line.slice(separator + 3).split(' ');
    if (head.length < 6 || tail.length < 3) continue;
    entries.push({
      mountId: Number(head[0]),
      parentId: Number(head[1]),
      device: head[2]!,
      root: unescape(head[3]!),
      mountPoint: unescape(head[4]!),
      options: head[5]!,
      fsType: tail[0]!,
      source: unescape(tail[1]!),
      superOptions: tail[2]!,
    });
  }
  return entries;
}

/** The filesystem mounted last at `target`, if any. */
export function mountedAt(entries: readonly MountInfoEntry[], target: string): MountInfoEntry | undefined {
  return entries.filter((entry) => entry.mountPoint === target).at(-1);
}

/** Mount points under `prefix` (not itself), deepest first: the order to unmount them. */
export function mountsBelow(entries: readonly MountInfoEntry[], prefix: string): string[] {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return [...new Set(entries.map((entry) => entry.mountPoint).filter((point) => point !== prefix && point.startsWith(base)))].sort((a, b) => b.length - a.length);
}

/** This process's mount table now; throws when /proc is not mounted. */
export function readMountInfo(): MountInfoEntry[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}
