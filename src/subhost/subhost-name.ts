// A subhost's name: it names the subhost's network namespace and prefixes its host-end cables.
import type { Parsed } from './conf-values';

// NAME names a network namespace and prefixes the host-end cables ($NAME0, $NAME1, …), which IFNAMSIZ caps at 15
// characters; 12 leaves room for three digits. No '.', which ifupdown reads as a VLAN tag on the interface name.
// The schema's subhost.name pattern is the same.
const SUBHOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,11}$/;

/** `text` as a subhost name, or why it cannot be one. */
export function parseSubhostName(text: string): Parsed<string> {
  if (SUBHOST_NAME.test(text)) return { ok: true, value: text };
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return { ok: false, problem: `"${shown}" is not a subhost name: 1–12 of A–Z a–z 0–9 _ -, starting with a letter or digit` };
}
