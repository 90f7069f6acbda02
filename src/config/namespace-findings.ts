// Checks of `namespaces` and `idMap` a schema cannot express: which namespaces need which, and id maps the kernel
// would refuse or that leave the boot without a root.
import type { Config, IdRanges } from './generated/config-types';
import type { Finding } from './diagnostic';
import { idMapRanges } from './id-map';
import { idMapText } from './id-map-text';

/** Every finding about `namespaces` and `idMap`. */
export function namespaceFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  const namespaces = new Set(config.namespaces ?? []);
  if (namespaces.has('user') && !config.idMap) {
    findings.push({ code: 'namespace-combination', severity: 'error', path: ['namespaces'], message: 'a new `user` namespace needs `idMap`: the uid and gid ranges its ids stand for outside' });
  }
  if (config.idMap && !namespaces.has('user')) {
    findings.push({ code: 'namespace-combination', severity: 'error', path: ['idMap'], at: 'key', message: '`idMap` maps the ids of a new user namespace: add `user` to `namespaces`' });
  }
  if (namespaces.has('pid') && !namespaces.has('mount')) {
    findings.push({ code: 'namespace-combination', severity: 'error', path: ['namespaces'], message: '`pid` needs `mount`: a new PID namespace needs a /proc of its own, mounted in a mount namespace of its own' });
  }
  if (config.idMap) {
    findings.push(...idRangeFindings(config.idMap.users, 'users', 'uid_map'));
    findings.push(...idRangeFindings(config.idMap.groups, 'groups', 'gid_map'));
  }
  return findings;
}

function idRangeFindings(ranges: IdRanges, key: 'users' | 'groups', file: 'uid_map' | 'gid_map'): Finding[] {
  const path = ['idMap', key];
  let parsed;
  try {
    parsed = idMapRanges(ranges);
    idMapText(parsed, file);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return [{ code: 'id-map', severity: 'error', path, message: error.message }];
  }
  if (!parsed.some((range) => range.inside === 0)) {
    return [{ code: 'id-map', severity: 'error', path, message: `no range maps ${key === 'users' ? 'uid' : 'gid'} 0 inside: the boot goes on as the namespace's root, so map 0 (lcboot's example: "0 1000000 65536")` }];
  }
  return [];
}
