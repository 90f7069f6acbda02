// What `subhost list` and `subhost status` report: a subhost's condition, its PID 1, root, mounts, network
// namespace and processes, read from its state and from /proc.
import { readdirSync, readlinkSync } from 'node:fs';
import { readOptional } from '../probe/read-optional';
import { readMountInfo } from '../probe/mountinfo';
import { DEFAULT_CONTROL_SOCKET } from '../ctl/protocol';
import { formatStatusTable } from '../ctl/format-status';
import type { ServiceStatus } from '../supervisor/model';
import { cableStatuses, formatCable, type CableStatus } from './cable-status';
import { conditionOf, readState, stateNames, type SubhostCondition } from './subhost-state';

/** The most processes `status` lists; the count is always complete. */
const LISTED_PROCESSES = 50;

export interface SubhostProcess {
  /** Its pid inside the subhost, and on the host. */
  pid: number;
  hostPid: number;
  command: string;
}

export interface SubhostStatus {
  name: string;
  condition: SubhostCondition;
  /** PID 1's host pid while running. */
  pid1: number | null;
  config: string;
  hostname: string;
  root: { setup: string; live: string; upper: string; lower: string[]; image: string | null; ramSize: string | null };
  mounts: { target: string; fsType: string; source: string }[];
  netns: string | null;
  cables: CableStatus[];
  processes: { count: number; listed: SubhostProcess[] };
  /** A supervise handoff's services, asked of its control socket; null when it has none or did not answer (see servicesProblem). */
  services: ServiceStatus[] | null;
  servicesProblem: string | null;
  log: string;
}

/** How long `status` waits for the subhost's supervisor to answer. */
const CONTROL_TIMEOUT_MS = 3000;

/** The status of subhost `name`; undefined when it has no state (stopped, or never started). */
export function subhostStatus(name: string): SubhostStatus | undefined {
  const state = readState(name);
  if (!state) return undefined;
  const { spec } = state;
  const condition = conditionOf(state);
  const trees = [spec.live, spec.imageDirectory, spec.ramDirectory, ...(spec.netns ? [spec.netns] : [])];
  const inTree = (point: string): boolean => trees.some((tree) => point === tree || point.startsWith(`${tree}/`));
  const mounts = readMountInfo()
    .filter((entry) => inTree(entry.mountPoint))
    .map((entry) => ({ target: entry.mountPoint, fsType: entry.fsType, source: entry.source }));
  return {
    name,
    condition,
    pid1: condition === 'running' ? (state.pid1?.pid ?? null) : null,
    config: spec.file,
    hostname: spec.hostname,
    root: { setup: spec.setup, live: spec.live, upper: spec.upper, lower: spec.lower, image: spec.image ?? null, ramSize: spec.ramSize ?? null },
    mounts,
    netns: spec.netns ?? null,
    cables: cableStatuses(spec.cables),
    processes: condition === 'running' && state.pid1 ? processesOf(state.pid1.pid) : { count: 0, listed: [] },
    services: null,
    servicesProblem: null,
    log: spec.log,
  };
}

/** The status with the services of a running supervise handoff, through its control socket (reached by PID 1's root). */
export async function withServices(status: SubhostStatus, handoffMode: string): Promise<SubhostStatus> {
  if (status.pid1 === null || handoffMode !== 'supervise') return status;
  const { sendRequest } = await import('../ctl/client');
  try {
    const answer = await sendRequest({ op: 'status' }, { path: `/proc/${status.pid1}/root${DEFAULT_CONTROL_SOCKET}`, timeoutMs: CONTROL_TIMEOUT_MS });
    if (!answer.ok) return { ...status, servicesProblem: answer.error };
    return { ...status, services: answer.services ?? [] };
  } catch (error) {
    return { ...status, servicesProblem: (error as Error).message };
  }
}

/** Every subhost with state, sorted by name. */
export function listSubhosts(): SubhostStatus[] {
  return stateNames()
    .map((name) => subhostStatus(name))
    .filter((status): status is SubhostStatus => status !== undefined);
}

/** The processes in PID 1's PID namespace, found by their namespace link (a bounded walk of /proc). */
function processesOf(pid1: number): SubhostStatus['processes'] {
  const namespace = link(`/proc/${pid1}/ns/pid`);
  if (namespace === undefined) return { count: 0, listed: [] };
  const listed: SubhostProcess[] = [];
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    if (link(`/proc/${entry}/ns/pid`) !== namespace) continue;
    count += 1;
    if (listed.length >= LISTED_PROCESSES) continue;
    const status = readOptional(`/proc/${entry}/status`) ?? '';
    const inner = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/).at(-1);
    const command = (readOptional(`/proc/${entry}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    listed.push({ pid: Number(inner ?? 0), hostPid: Number(entry), command: command.slice(0, 200) });
  }
  listed.sort((a, b) => a.pid - b.pid);
  return { count, listed };
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** One line per subhost, as machinectl list prints them. */
export function formatList(statuses: readonly SubhostStatus[]): string {
  if (statuses.length === 0) return 'no subhosts\n';
  const rows = [['NAME', 'STATE', 'PID1', 'PROCESSES', 'ROOT', 'CONFIG'], ...statuses.map((status) => [status.name, status.condition, status.pid1 === null ? '-' : String(status.pid1), String(status.processes.count), `${status.root.setup} ${status.root.live}`, status.config])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return `${rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n')}\n`;
}

/** `status NAME` as text: what runs and what is mounted. */
export function formatStatus(status: SubhostStatus): string {
  const lines = [
    `${status.name}: ${status.condition}${status.pid1 === null ? '' : ` (PID 1 is host pid ${status.pid1})`}`,
    `  config:   ${status.config}`,
    `  hostname: ${status.hostname}`,
    `  root:     ${status.root.setup} at ${status.root.live}${status.root.setup === 'live' ? '' : ` (upper ${status.root.upper}, lower ${status.root.lower.join(':')})`}${status.root.image ? `, image ${status.root.image}` : ''}${status.root.ramSize ? `, tmpfs of ${status.root.ramSize}` : ''}`,
    `  network:  ${status.netns === null ? 'the host\'s (no net namespace)' : `namespace ${status.name} (${status.netns})`}`,
    ...(status.cables.length === 0 ? [] : [`  cables (${status.cables.length}):`, ...status.cables.map((cable) => `    ${formatCable(cable)}`)]),
    `  log:      ${status.log}`,
    `  mounts on the host (${status.mounts.length}):`,
    ...status.mounts.map((mount) => `    ${mount.target} ${mount.fsType} ${mount.source}`),
    `  processes (${status.processes.count}):`,
    ...status.processes.listed.map((process) => `    ${String(process.pid).padStart(6)} (host ${process.hostPid}) ${process.command}`),
  ];
  if (status.processes.count > status.processes.listed.length) lines.push(`    … ${status.processes.count - status.processes.listed.length} more`);
  if (status.services) lines.push('  services:', ...formatStatusTable(status.services, Date.now()).trimEnd().split('\n').map((line) => `    ${line}`));
  if (status.servicesProblem) lines.push(`  services: unknown (${status.servicesProblem})`);
  return `${lines.join('\n')}\n`;
}
