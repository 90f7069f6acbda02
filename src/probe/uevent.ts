// Parses a sysfs uevent file (`KEY=value` lines): a block device's DEVNAME, and PARTUUID/PARTNAME where the kernel's own partition parser set them.

/** The variables of a uevent text; lines without `=` are skipped. */
export function parseUevent(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) variables.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return variables;
}
