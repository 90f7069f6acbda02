// Looks up user and group names in /etc/passwd and /etc/group text.

/** The numeric id of `name` in passwd- or group-format text (name:x:id:...), or undefined. */
export function idOf(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return undefined;
}
