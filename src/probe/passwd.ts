// Looks up users and groups in /etc/passwd and /etc/group text.

/** The numeric id of `name` in passwd- or group-format text (name:x:id:...), or undefined. */
export function idOf(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 3 && /^\d+$/.test(fields[2]!)) return Number(fields[2]);
  }
  return undefined;
}

/** A user's primary group id from passwd text, by name or uid. */
export function primaryGroupOf(passwd: string, user: string | number): number | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 4 || !/^\d+$/.test(fields[3]!)) continue;
    if (fields[0] === String(user) || fields[2] === String(user)) return Number(fields[3]);
  }
  return undefined;
}

/** The ids of the groups that list `user` as a member in group text (what initgroups(3) adds). */
export function supplementaryGroupsOf(group: string, user: string): number[] {
  const ids: number[] = [];
  for (const line of group.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 4 && /^\d+$/.test(fields[2]!) && fields[3]!.split(',').includes(user)) ids.push(Number(fields[2]));
  }
  return ids;
}

/** A user's name from passwd text, by uid. */
export function userNameOf(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[2] === String(uid)) return fields[0];
  }
  return undefined;
}
