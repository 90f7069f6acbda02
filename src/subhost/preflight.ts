// What must hold before `subhost start` changes anything: every directory and file it will use exists and is of
// the right kind, work is on upper's mount, the image is a filesystem, no name, mount or interface is taken, every
// bridge a cable names is there. Each problem
// names the path, the config key it comes from and the cause; all are reported at once.
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { idMapRanges } from '../config/id-map';
import { readHead } from '../exec/read-head';
import { identifyFileSystem, PROBE_BYTES } from '../probe/superblock';
import { mountedAt, type MountInfoEntry } from '../probe/mountinfo';
import { cableProblems, type HostLink } from './cable-plan';
import type { SubhostSpec } from './subhost-spec';

/** What the checks may read of the machine, so the logic is testable with a made-up one. */
export interface PreflightFacts {
  mounts: readonly MountInfoEntry[];
  /** Whether a named network namespace file exists already. */
  exists: (path: string) => boolean;
  /** The host's network interfaces (read only when the subhost has cables). */
  links: () => readonly HostLink[];
}

/** Paths under these are the kernel's, never a subhost's layers or mount points. */
const KERNEL_TREES = ['/proc', '/sys'];

/** Every problem that forbids starting `spec` fresh (not a resume); [] when it may start. */
export function preflight(spec: SubhostSpec, facts: PreflightFacts): string[] {
  const problems: string[] = [];
  const directory = (path: string, key: string): boolean => {
    const problem = directoryProblem(path);
    if (problem) problems.push(`${key} ${path}: ${problem}`);
    return problem === undefined;
  };
  for (const [key, path] of [['base', spec.base], ['live', spec.live], ...spec.lower.map((path) => ['lower', path])] as const) {
    if (underKernelTree(path)) problems.push(`${key} ${path}: is under ${KERNEL_TREES.join(' or ')}, which belong to the kernel`);
  }
  directory(spec.base, 'base');
  if (directory(spec.live, 'live') && mountedAt(facts.mounts, realpathOr(spec.live)) !== undefined && spec.setup !== 'live') {
    problems.push(`live ${spec.live}: is already a mount point (left by an earlier start?); unmount it first`);
  }
  for (const layer of spec.lower) directory(layer, 'lower');
  if (spec.image !== undefined) {
    const problem = imageProblem(spec.image);
    if (problem) problems.push(`image ${spec.image}: ${problem}`);
    if (existsSync(spec.imageDirectory)) directory(spec.imageDirectory, 'the image mount point');
  } else if (spec.ramSize === undefined) {
    const upperOk = directory(spec.upper, 'upper');
    if (spec.setup === 'overlay') {
      const workOk = directory(spec.work, 'work');
      if (upperOk && workOk) problems.push(...overlayProblems(spec, facts.mounts));
    }
  }
  if (spec.setup === 'overlay') {
    for (const [key, path] of [['upper', spec.upper], ['work', spec.work], ...spec.lower.map((path) => ['lower', path])] as const) {
      if (/[:,\\]/.test(path)) problems.push(`${key} ${path}: overlayfs options cannot hold ":", "," or "\\" in a path; rename it`);
    }
  }
  for (const share of spec.share) {
    if (!existsSync(share.source)) problems.push(`share ${share.source}: does not exist`);
    if (underKernelTree(share.target)) problems.push(`share target ${share.target}: is under ${KERNEL_TREES.join(' or ')}, which PID 1 mounts itself`);
  }
  if (spec.idMap && directoryProblem(spec.live) === undefined) problems.push(...searchProblems(spec));
  if (spec.cables.length > 0) problems.push(...cableProblems(spec.cables, facts.links()));
  if (spec.netns !== undefined && facts.exists(spec.netns)) {
    problems.push(`network namespace ${spec.name}: ${spec.netns} exists already (ip netns delete ${spec.name}, if nothing uses it)`);
  }
  return problems;
}

/**
 * In a user namespace PID 1 is root of that namespace only: on the host it is the id 0 maps to, which needs
 * search permission on every directory above live to reach it.
 */
function searchProblems(spec: SubhostSpec): string[] {
  const root = idMapRanges(spec.idMap!.users).find((range) => range.inside === 0);
  if (root === undefined) return [];
  const problems: string[] = [];
  for (let directory = posix.dirname(spec.live); ; directory = posix.dirname(directory)) {
    const stat = statSync(directory);
    const searchable = stat.uid === root.outside ? (stat.mode & 0o100) !== 0 : (stat.mode & 0o001) !== 0;
    if (!searchable) problems.push(`live ${spec.live}: ${directory} (mode ${(stat.mode & 0o7777).toString(8)}, owner ${stat.uid}) is not searchable by the subhost's root, host uid ${root.outside}; chmod o+x ${directory}`);
    if (directory === '/') return problems;
  }
}

function underKernelTree(path: string): boolean {
  return KERNEL_TREES.some((tree) => path === tree || path.startsWith(`${tree}/`));
}

function directoryProblem(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? undefined : 'is not a directory';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** overlay-boot(8): WORK "must be defined as a directory outside of but on the same mount as UPPER". */
function overlayProblems(spec: SubhostSpec, mounts: readonly MountInfoEntry[]): string[] {
  const upper = realpathOr(spec.upper);
  const work = realpathOr(spec.work);
  const inside = (path: string, parent: string): boolean => path === parent || path.startsWith(`${parent}/`);
  if (inside(work, upper) || inside(upper, work)) return [`work ${spec.work}: must be outside upper ${spec.upper} (and upper outside work)`];
  const upperMount = mountOf(upper, mounts);
  const workMount = mountOf(work, mounts);
  if (upperMount !== workMount) return [`work ${spec.work}: is on the mount at ${workMount}, upper ${spec.upper} on the mount at ${upperMount}; overlayfs needs both on the same mount`];
  return [];
}

/** The mount point holding `path`: the longest mount point that is `path` or above it. */
export function mountOf(path: string, mounts: readonly MountInfoEntry[]): string {
  let best = '/';
  for (const entry of mounts) {
    const point = entry.mountPoint;
    if ((path === point || path.startsWith(point === '/' ? '/' : `${point}/`)) && point.length > best.length) best = point;
  }
  return best;
}

/** A regular file whose first bytes hold a filesystem superblock we know; read with a bound, never a FIFO. */
function imageProblem(path: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
    if (stat.isSymbolicLink()) stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
  }
  if (!stat.isFile()) return 'is not a regular file';
  return identifyFileSystem(readHead(path, PROBE_BYTES)) === undefined ? 'is not a filesystem image (no ext2/3/4, XFS, Btrfs or other known superblock in it)' : undefined;
}

/** The image's filesystem type for mount(2), once preflight accepted it. */
export function imageType(path: string): string {
  const identity = identifyFileSystem(readHead(path, PROBE_BYTES));
  if (identity === undefined) throw new Error(`${path}: not a filesystem image`);
  return identity.type;
}
