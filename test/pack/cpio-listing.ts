// Reads `cpio -itv` output into records, so tests assert on names, modes and devices instead of raw lines.
import { execFileSync } from 'node:child_process';

/** One line of `cpio -itv`: `crw------- 1 root root 5, 1 Jan  1  1970 dev/console`. */
export interface CpioListing {
  permissions: string;
  links: number;
  owner: string;
  group: string;
  size: number | undefined;
  device: [number, number] | undefined;
  name: string;
  target: string | undefined;
}

const line = /^(\S{10})\s+(\d+)\s+(\S+)\s+(\S+)\s+(?:(\d+),\s*(\d+)|(\d+))\s+\w{3}\s+\d+\s+[\d:]+\s+(.*)$/;

/** Lists a (decompressed) newc archive with GNU cpio, keyed by entry name in archive order. */
export function listCpio(archive: Uint8Array): Map<string, CpioListing> {
  const text = execFileSync('cpio', ['-itv', '--quiet'], { input: archive, encoding: 'utf8', maxBuffer: 64 << 20 });
  const listing = new Map<string, CpioListing>();
  for (const raw of text.trim().split('\n')) {
    const match = line.exec(raw);
    if (!match) throw new Error(`unexpected cpio -itv line: ${raw}`);
    const [, permissions, links, owner, group, major, minor, size, rest] = match;
    const arrow = permissions!.startsWith('l') ? rest!.indexOf(' -> ') : -1;
    const name = arrow >= 0 ? rest!.slice(0, arrow) : rest!;
    listing.set(name, {
      permissions: permissions!,
      links: Number(links),
      owner: owner!,
      group: group!,
      size: size === undefined ? undefined : Number(size),
      device: major === undefined ? undefined : [Number(major), Number(minor)],
      name,
      target: arrow >= 0 ? rest!.slice(arrow + 4) : undefined,
    });
  }
  return listing;
}
