// Checks of `namespaces` and `idMap` a schema cannot express: what a subhost needs, and a user namespace with its map.
import type { Config, IdRange, IdRanges, NamespaceName } from './generated/config-types';
import type { Finding } from './diagnostic';
import { idMapOverlap, idMapRanges, type IdMapRange } from './id-map';
import { idMapText } from './id-map-text';

/** The namespaces of a subhost whose config lists none: overlay-boot's mount, net and pid, with uts and ipc. */
export const SUBHOST_NAMESPACES: readonly NamespaceName[] = ['mount', 'pid', 'net', 'uts', 'ipc'];

// A subhost is a root of its own (mount) with a PID 1 of its own (pid): without either it is not one.
const SUBHOST_NEEDS: readonly NamespaceName[] = ['mount', 'pid'];

/** Findings about `namespaces` and `idMap` of a schema-valid config. */
export function namespaceFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  const listed = config.namespaces;
  const namespaces = listed ?? (config.subhost ? SUBHOST_NAMESPACES : []);
  if (config.subhost && listed) {
    const missing = SUBHOST_NEEDS.filter((name) => !listed.includes(name));
    if (missing.length > 0) {
      findings.push({
        code: 'subhost-namespaces',
        severity: 'error',
        path: ['namespaces'],
        message: `a subhost needs the mount and pid namespaces (a root and a PID 1 of its own); add ${missing.join(' and ')}`,
      });
    }
  }
  // A subhost's own finding (subhost-namespaces) says this for it.
  if (!config.subhost && namespaces.includes('pid') && !namespaces.includes('mount')) {
    findings.push({ code: 'namespace-combination', severity: 'error', path: ['namespaces'], message: '`pid` needs `mount`: a new PID namespace needs a /proc of its own, mounted in a mount namespace of its own' });
  }
  const user = namespaces.indexOf('user');
  if (user >= 0 && !config.idMap) {
    findings.push({
      code: 'id-map-required',
      severity: 'error',
      path: ['namespaces', user],
      message: 'the user namespace needs `idMap` (users and groups): without a map no id inside is anyone outside, and root inside cannot even own its files',
    });
  }
  if (config.idMap) {
    if (user < 0) {
      const where = listed ? '`namespaces` has no `user`' : `a subhost's default namespaces (${SUBHOST_NAMESPACES.join(', ')}) have no \`user\``;
      findings.push({
        code: 'id-map-unused',
        severity: 'error',
        path: ['idMap'],
        at: 'key',
        message: `idMap maps the ids of a user namespace, and ${where}: ${listed || config.subhost ? 'add user to namespaces' : 'add namespaces: [user, ...]'}, or remove idMap`,
      });
    }
    findings.push(...rangeFindings(config.idMap.users, ['idMap', 'users'], 'uid_map'), ...rangeFindings(config.idMap.groups, ['idMap', 'groups'], 'gid_map'));
  }
  return findings;
}

// Each range parses (the kernel's limits), and no two overlap inside or outside, which the kernel refuses with EINVAL.
function rangeFindings(ranges: IdRanges, path: readonly (string | number)[], file: 'uid_map' | 'gid_map'): Finding[] {
  const list: IdRange[] = Array.isArray(ranges) ? ranges : [ranges];
  const parsed: IdMapRange[] = [];
  const findings: Finding[] = [];
  for (const [index, range] of list.entries()) {
    try {
      parsed.push(...idMapRanges(range));
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      findings.push({ code: 'invalid-value', severity: 'error', path: Array.isArray(ranges) ? [...path, index] : path, message: error.message });
    }
  }
  const overlap = findings.length === 0 ? idMapOverlap(parsed) : undefined;
  if (overlap !== undefined) findings.push({ code: 'id-map-overlap', severity: 'error', path, message: `${path.join('.')}: ${overlap}; the kernel refuses such a map` });
  if (findings.length > 0) return findings;
  try {
    idMapText(parsed, file);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return [{ code: 'id-map', severity: 'error', path, message: error.message }];
  }
  // The boot (and a subhost's PID 1) goes on as the namespace's root: without 0 inside it could own nothing.
  if (!parsed.some((range) => range.inside === 0)) {
    const id = file === 'uid_map' ? 'uid' : 'gid';
    return [{ code: 'id-map', severity: 'error', path, message: `no range maps ${id} 0 inside: the boot goes on as the namespace's root, so map 0 (lcboot's example: "0 1000000 65536")` }];
  }
  return findings;
}
