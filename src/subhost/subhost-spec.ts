// A subhost config resolved into what starting it does: absolute paths, how the root is made, the namespaces.
// Pure: the file system is not read here (preflight checks what exists).
import { posix } from 'node:path';
import type { Config, Hook, IdMap, NamespaceName, SubhostRoot } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import { planCables, type CablePlan } from './cable-plan';

/** PID 1's output when `subhost.log` names no file: in the state directory, kept when the state goes. */
export const CONSOLE_LOG = 'console.log';

/** Where subhosts keep their state on the host: one directory per running or hibernating subhost. */
export const SUBHOSTS_STATE = '/run/bootstrap/subhosts';
/**
 * How long PID 1 waits for `start` to make its host side (the id maps, the cables, whose `ifup` may wait for DHCP
 * a minute each) before it gives up: as long as `start` waits for the whole of PID 1's boot.
 */
export const RELEASE_TIMEOUT_MS = 5 * 60_000;

/** Where `ip netns` looks for named network namespaces. */
export const NETNS_DIRECTORY = '/run/netns';

/** overlay-boot's rules for the root, plus the two ways the upper layer can live elsewhere (a tmpfs, an image). */
export type RootSetup =
  /** UPPER ≠ LOWER: an overlay of upper over the lower layers at live. */
  | 'overlay'
  /** UPPER = LOWER ≠ LIVE: upper bound at live. */
  | 'bind'
  /** UPPER = LOWER = LIVE: live is the root as it is, no mount. */
  | 'live';

/** A host path bound into the subhost's root. */
export interface ShareSpec {
  source: string;
  /** The path inside the subhost (absolute, as the subhost sees it). */
  target: string;
  readOnly: boolean;
}

/** Everything `subhost start` needs, with every default filled in and every path absolute. */
export interface SubhostSpec {
  name: string;
  hostname: string;
  /** The config file (YAML or .conf). */
  file: string;
  base: string;
  live: string;
  /** The writable layer; under the tmpfs or the image when those hold it. */
  upper: string;
  work: string;
  /** Highest first. */
  lower: string[];
  setup: RootSetup;
  /** A tmpfs of this size (mount(2)'s size=) holds upper and work, mounted at `ramDirectory`. */
  ramSize: string | undefined;
  ramDirectory: string;
  /** An image file loop-mounted at `imageDirectory`; upper and work are its /root and /work. */
  image: string | undefined;
  imageDirectory: string;
  share: ShareSpec[];
  /** The interfaces the cables make (overlay-boot's CABLES), in order. */
  cables: CablePlan[];
  namespaces: NamespaceName[];
  idMap: IdMap | undefined;
  premount: Hook[];
  postmount: Hook[];
  /** Where PID 1's standard output and error go. */
  log: string;
  stopTimeoutMs: number;
  /** The subhost's state directory and its named network namespace (when it has one). */
  stateDirectory: string;
  netns: string | undefined;
}

/** The namespaces of a subhost when its config names none: overlay-boot's mount, PID and network, plus UTS and IPC. */
export const DEFAULT_SUBHOST_NAMESPACES: readonly NamespaceName[] = ['mount', 'pid', 'net', 'uts', 'ipc'];

/** A subhost's name from its config file when the config gives none: `/ex1/ex1.conf` → `ex1`. */
export function nameFromFile(file: string): string {
  const base = posix.basename(file);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The spec of a subhost config. `file` is the absolute path of the config; throws when the config has no `subhost`. */
export function resolveSubhost(config: Config, file: string): SubhostSpec {
  const subhost = config.subhost;
  if (!subhost) throw new Error(`${file}: not a subhost config: it has no \`subhost\` section`);
  const name = subhost.name ?? nameFromFile(file);
  const base = posix.resolve(posix.dirname(file), subhost.base ?? '.');
  const under = (path: string): string => posix.resolve(base, path);
  const root: SubhostRoot = subhost.root ?? { lower: '/', upper: 'root', work: 'work', live: 'live' };
  const stateDirectory = `${SUBHOSTS_STATE}/${name}`;
  const ramDirectory = `${stateDirectory}/ram`;
  const imageDirectory = under('mnt');
  const image = root.image === undefined ? undefined : under(root.image);
  const lowerList = root.lower === undefined ? ['/'] : Array.isArray(root.lower) ? root.lower : [root.lower];
  const lower = lowerList.map(under);
  let upper = under(root.upper ?? 'root');
  let work = under(root.work ?? 'work');
  if (root.ramSize !== undefined) {
    upper = `${ramDirectory}/root`;
    work = `${ramDirectory}/work`;
  } else if (image !== undefined) {
    upper = `${imageDirectory}/root`;
    work = `${imageDirectory}/work`;
  }
  const live = under(root.live ?? 'live');
  const namespaces = config.namespaces ?? [...DEFAULT_SUBHOST_NAMESPACES];
  return {
    name,
    hostname: subhost.hostname ?? name,
    file,
    base,
    live,
    upper,
    work,
    lower,
    setup: rootSetup(upper, lower, live),
    ramSize: root.ramSize,
    ramDirectory,
    image,
    imageDirectory,
    share: (subhost.share ?? []).map((share) => ({ source: share.source, target: share.target ?? share.source, readOnly: share.readOnly ?? false })),
    cables: planCables(name, subhost.cables ?? []),
    namespaces,
    idMap: config.idMap,
    premount: subhost.premount ?? [],
    postmount: subhost.postmount ?? [],
    log: subhost.log === undefined ? `${stateDirectory}/${CONSOLE_LOG}` : under(subhost.log),
    stopTimeoutMs: parseDuration(subhost.stopTimeout ?? '30s'),
    stateDirectory,
    netns: namespaces.includes('net') ? `${NETNS_DIRECTORY}/${name}` : undefined,
  };
}

/** overlay-boot(8): UPPER ≠ LOWER → overlay; UPPER = LOWER ≠ LIVE → bind; UPPER = LOWER = LIVE → no mount. */
export function rootSetup(upper: string, lower: readonly string[], live: string): RootSetup {
  if (lower.length !== 1 || lower[0] !== upper) return 'overlay';
  return upper === live ? 'live' : 'bind';
}

/** The overlay's mount data; `:` and `,` in a layer path would split it, so such paths are refused by preflight. */
export function overlayOptions(spec: Pick<SubhostSpec, 'lower' | 'upper' | 'work'>): string {
  return `lowerdir=${spec.lower.join(':')},upperdir=${spec.upper},workdir=${spec.work}`;
}
