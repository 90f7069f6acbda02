// Value parsers for overlay-boot `.conf` variables: each takes the value text and returns a typed value or why not.
import { posix } from 'node:path';

/** A parsed value, or a sentence saying what is wrong with the text (the caller adds the line). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** One virtual cable: `[bridge]=[MAC or .VLAN]`. */
export interface Cable {
  /** "The bridge interface name, when given, will be given control of the host end cable interface." */
  bridge?: string;
  /** "The MAC address, if given, is used for the subhost end cable interface." */
  mac?: string;
  /** "A VLAN tag has the format ".N" where N is a number between 1 and 4095." */
  vlan?: number;
}

/** One host directory shared into the subhost. */
export interface Share {
  /** Absolute host path, bind-mounted at the same path under LIVE. */
  path: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

// The kernel's IFNAMSIZ is 16 with the NUL; '/', ':' and whitespace are refused by dev_valid_name or by ifupdown.
const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
const MAC = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
// Digits without a leading zero: ifup names the interface `bridge.N`, and `.0302` would name one the kernel never makes.
const VLAN = /^\.([1-9][0-9]{0,3})$/;

/** CABLES: "a space separated list of cable specifiers, each consisting of an optional bridge interface name, an optional MAC adddress or VLAN tag and with a required equal sign". */
export function parseCables(text: string): Parsed<Cable[]> {
  const cables: Cable[] = [];
  for (const [index, specifier] of words(text).entries()) {
    const which = `cable ${index} ("${specifier}")`;
    const equals = specifier.indexOf('=');
    if (equals < 0) return fail(`${which} has no "=": write [bridge]=[MAC or .VLAN], e.g. "br0=" or "="`);
    const bridge = specifier.slice(0, equals);
    const tail = specifier.slice(equals + 1);
    if (tail.includes('=')) return fail(`${which} has more than one "="`);
    const cable: Cable = {};
    if (bridge !== '') {
      if (!INTERFACE_NAME.test(bridge)) return fail(`${which}: bridge "${bridge}" is not an interface name (1–15 of A–Z a–z 0–9 _ . -)`);
      cable.bridge = bridge;
    }
    if (tail.startsWith('.')) {
      const match = VLAN.exec(tail);
      const vlan = match ? Number(match[1]) : NaN;
      if (!(vlan >= 1 && vlan <= 4095)) return fail(`${which}: VLAN tag "${tail}" must be "." and a number from 1 to 4095`);
      // The VLAN goes "on the prior host interface", the host end of a cable before it: whether there is one, and
      // that a bridge has no place here, is checked on the config (subhost.cables) the .conf becomes.
      cable.vlan = vlan;
    } else if (tail !== '') {
      if (!MAC.test(tail)) return fail(`${which}: "${tail}" is neither a MAC address (six hex pairs, e.g. 02:00:00:00:00:01) nor a VLAN tag (".N")`);
      const first = parseInt(tail.slice(0, 2), 16);
      // The kernel refuses a multicast or all-zero address on an interface (EADDRNOTAVAIL); say so here, not at boot.
      if ((first & 1) === 1) return fail(`${which}: MAC ${tail} is a multicast address (low bit of the first byte set); an interface needs a unicast one`);
      if (/^(00:){5}00$/.test(tail)) return fail(`${which}: MAC ${tail} is all zeros`);
      cable.mac = tail.toLowerCase();
    }
    cables.push(cable);
  }
  return ok(cables);
}

// SysV init script names: a file name in /etc/init.d, so no '/', and no leading '-' or '.' that service(8) would misread.
const SERVICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/;

/** START: "space-separated SysV service names"; the word `none` means none. */
export function parseStart(text: string): Parsed<string[]> {
  const names = words(text);
  // The seed names `none` for no services; an empty START is not defined there, so it is refused rather than guessed.
  if (names.length === 0) return fail('is empty: write START=none to start no services, or list them');
  if (names.length === 1 && names[0] === 'none') return ok([]);
  if (names.includes('none')) return fail('mixes "none" with service names');
  const seen = new Set<string>();
  for (const name of names) {
    if (!SERVICE_NAME.test(name)) return fail(`"${name}" is not a service name (A–Z a–z 0–9 _ . @ + -, not starting with . or -)`);
    if (seen.has(name)) return fail(`names "${name}" twice`);
    seen.add(name);
  }
  return ok(names);
}

// tmpfs's size= takes a byte count with an optional k/m/g suffix, or a percentage of RAM.
const RAM_SIZE = /^[1-9][0-9]*[kKmMgG]?$/;
const RAM_PERCENT = /^([1-9][0-9]?|100)%$/;

/** RAM_SIZE: kept as written, checked to be a size tmpfs accepts (`512M`, `1G`, `65536`, `50%`). */
export function parseRamSize(text: string): Parsed<string> {
  if (RAM_SIZE.test(text) || RAM_PERCENT.test(text)) return ok(text);
  return fail(`"${text}" is not a size: a number with an optional k, m or g suffix (e.g. 512M, 1G), or 1%–100%`);
}

/** SHARE: a space separated list of absolute host directories, each shared at the same path inside the subhost. */
export function parseShare(text: string): Parsed<Share[]> {
  const shares: Share[] = [];
  const seen = new Set<string>();
  for (const path of words(text)) {
    const problem = pathProblem(path);
    if (problem !== undefined) return fail(`"${path}" ${problem}`);
    // A share lands at the same path under LIVE, so a relative one would have no place to land.
    if (!path.startsWith('/')) return fail(`"${path}" is not an absolute path`);
    const normal = posix.resolve('/', path);
    if (normal === '/') return fail('shares "/", the whole host');
    if (seen.has(normal)) return fail(`shares "${normal}" twice`);
    seen.add(normal);
    shares.push({ path: normal });
  }
  return ok(shares);
}

/** Why a path value cannot be used as one, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  // overlay-boot is a shell script; a `$` or backquote there might have been expanded, here it would be taken literally.
  if (/[$`]/.test(path)) return 'contains "$" or "`": values are not expanded here; compute them with a !command instead';
  // overlayfs splits lowerdir= on ':' and mount options on ','.
  if (/[:,]/.test(path)) return 'contains ":" or ",", which overlayfs mount options cannot carry';
  if (/\s/.test(path)) return 'contains whitespace';
  return undefined;
}

/** The space separated words of a value; any run of blanks separates, as the shell's word splitting does. */
export function words(text: string): string[] {
  return text.split(/[ \t]+/).filter((word) => word !== '');
}
