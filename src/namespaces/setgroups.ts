// Whether a new user namespace's setgroups must be denied before its gid_map is written. Pure.

/** capability(7) number of CAP_SETGID. */
export const CAP_SETGID = 6;

/** Whether the `CapEff:` line of a /proc/PID/status text holds `capability`. */
export function hasEffectiveCapability(statusText: string, capability: number): boolean {
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText);
  if (match?.[1] === undefined) return false;
  return ((BigInt(`0x${match[1]}`) >> BigInt(capability)) & 1n) === 1n;
}

/**
 * Whether "deny" must go into /proc/PID/setgroups before gid_map: only for a writer without CAP_SETGID in the
 * parent user namespace, whom the kernel then allows its own gid alone. A privileged writer leaves setgroups(2)
 * allowed, so the namespace's root can set its supplementary groups as any root does.
 */
export function mustDenySetgroups(writerStatusText: string): boolean {
  return !hasEffectiveCapability(writerStatusText, CAP_SETGID);
}
