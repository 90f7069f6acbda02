// Renders a plan as the text `bootstrap plan` prints: one numbered line per step, grouped by phase.
import { formatRange } from '../config/id-map';
import type { HandoffPlan, MountIdMap, Step } from './step';

type Describers = { [K in Step['kind']]: (step: Extract<Step, { kind: K }>) => string };

const describe: Describers = {
  console: (step) => `open console ${step.device} on fds 0-2 as the controlling terminal`,
  namespaces: (step) => {
    const maps = step.uidMap.length === 0 ? '' : ` (uid map ${step.uidMap.map(formatRange).join(', ')}; gid map ${step.gidMap.map(formatRange).join(', ')})`;
    return `create namespaces ${step.namespaces.join(' ')} with util-linux unshare(1)${maps} and run the rest of the boot in them${step.uidMap.length === 0 ? '' : ' as their root'}`;
  },
  mountVirtual: (step) => `mount ${step.fsType} on ${step.target}${step.options ? ` (${step.options})` : ''}${step.fresh ? `, a new one even where one is mounted (${step.fresh})` : ' unless already mounted'}`,
  loopback: (step) => `bring ${step.interface} up unless it is`,
  loadModule: (step) => {
    const where = step.path ? ` from ${step.path}` : step.lookup ? ` and its dependencies, found under ${step.lookup.directory} of the root it runs in,` : ' (path and dependencies from modules.dep at boot)';
    const text = `load module ${step.name}${where}${step.parameters ? ` with ${step.parameters}` : ''}`;
    return text.endsWith(',') ? text.slice(0, -1) : text;
  },
  builtinModule: (step) => `parameters ${step.parameters} of built-in module ${step.name}: a warning, as only the kernel command line sets them`,
  mount: (step) =>
    `mount ${step.fsType} ${step.device} on ${step.target}${step.flags.length ? ` [${step.flags.join(' ')}]` : ''}${step.idMap ? ` ${describeIdMap(step.idMap)}` : ''}${step.options ? ` (${step.options})` : ''}${step.wait ? `, waiting up to ${step.wait.timeoutMs}ms for ${waitedFor(step.wait)}` : ''}`,
  sysctl: (step) => `sysctl ${step.key} = ${step.value}`,
  symlink: (step) => `symlink ${step.path} -> ${step.target}`,
  tmpfile: (step) =>
    `create ${step.type} ${step.path}${step.mode === undefined ? '' : ` mode ${step.mode.toString(8).padStart(4, '0')}`}${step.user === undefined ? '' : ` user ${step.user}`}${step.group === undefined ? '' : ` group ${step.group}`}`,
  setEnv: (step) => `set environment ${Object.keys(step.variables).join(' ')}`,
  network: (step) => {
    const link = 'name' in step.match ? step.interface : `${step.interface} (the link with MAC ${step.match.mac})`;
    const parts = [
      ...(step.mtu === undefined ? [] : [`set MTU ${step.mtu}`]),
      'bring it up',
      ...(step.dhcp4 ? ['ask DHCPv4 for a lease'] : []),
      ...(step.addresses.length ? [`add ${step.addresses.join(', ')}`] : []),
      ...step.routes.map((route) => `route ${route.to} via ${route.via}${route.metric === undefined ? '' : ` metric ${route.metric}`}`),
    ];
    return `wait up to ${step.timeoutMs}ms for ${link} and its carrier, ${parts.join(', ')}`;
  },
  resolvConf: (step) =>
    `write /etc/resolv.conf${step.nameservers.length ? ` (nameserver ${step.nameservers.join(', ')})` : ''}${step.search.length ? ` (search ${step.search.join(' ')})` : ''}${step.leases ? ', with the nameservers and domains of DHCP leases' : ''}`,
  hostname: (step) => `set the hostname to ${step.hostname}`,
  hook: (step) => `run ${JSON.stringify(step.argv)}${step.input === undefined ? '' : ' with input'}${step.timeoutMs === undefined ? '' : ` (timeout ${step.timeoutMs}ms)`}`,
  checkHandoff: (step) => `check that ${step.programs.join(', ')} ${step.programs.length === 1 ? 'exists and is' : 'exist and are'} executable under ${step.root}`,
  switchRoot: (step) => {
    const into = `${step.carryMounts.join(' ')} into ${step.newRoot}`;
    switch (step.mode) {
      case 'move':
        if (step.freeInitramfs === 'after-handoff') return `move ${into}, switch root to ${step.newRoot}; the initramfs is freed once the handoff runs`;
        return `move ${into}, free the initramfs, switch root to ${step.newRoot}`;
      case 'pivot':
        return `bind ${into} (recursively), pivot_root into ${step.newRoot} and detach the old root (mode pivot)`;
      case 'chroot':
        return `bind ${into} (recursively), chroot into ${step.newRoot}; the old root stays mounted (mode chroot)`;
      case 'none':
        return `bind ${into} (recursively) and stay in this root (mode none)`;
    }
  },
  bootScript: (step) => `run boot script ${JSON.stringify(step.argv)}`,
  handoff: (step) => `${describeHandoff(step.handoff)}${step.initctl ? '; take SysV init requests on /dev/initctl (runlevel 0 powers off, 6 reboots)' : ''}`,
};

function describeHandoff(handoff: HandoffPlan): string {
  if (handoff.mode === 'supervise') return `supervise ${Object.entries(handoff.processes).map(([name, process]) => `${name} ${JSON.stringify(process.argv)}`).join(', ')}`;
  if (handoff.mode === 'none') return 'none: PID 1 reaps and holds until it is stopped';
  if (handoff.mode === 'shell') return `shell ${JSON.stringify(handoff.argv)} on ${handoff.terminal ?? 'the console'}, on exit: ${handoff.onExit}`;
  return `exec ${JSON.stringify(handoff.argv)}`;
}

// Each range as uid_map and gid_map take it (inside outside count).
function describeIdMap(idMap: MountIdMap): string {
  return `idmapped (users ${idMap.users.map(formatRange).join(', ')}; groups ${idMap.groups.map(formatRange).join(', ')})`;
}

/** One line describing a step. */
export function describeStep(step: Step): string {
  return (describe[step.kind] as (step: Step) => string)(step);
}

/** The whole plan as text. */
export function formatPlan(steps: readonly Step[]): string {
  const lines: string[] = [];
  let phase: string | undefined;
  for (const [index, step] of steps.entries()) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push(`${phase}:`);
    }
    const policy = step.policy.onFailure === 'Abort' ? '' : step.policy.onFailure === 'Retry' ? `  [on failure: retry ${step.policy.retries}x every ${step.policy.retryDelayMs}ms]` : '  [on failure: warn]';
    lines.push(`  ${String(index + 1).padStart(2)}. ${describeStep(step)}${step.kind === 'loadModule' ? loadWaits(step.after) : ''}${policy}`);
  }
  return `${lines.join('\n')}\n`;
}

// When a load that may run beside others starts (the log's step lines leave it out: they come as loads end).
function loadWaits(after: readonly string[] | undefined): string {
  if (after === undefined) return '';
  if (after.length === 0) return ', right away';
  return `, once ${after.join(', ')} ${after.length === 1 ? 'is' : 'are'} loaded`;
}

function waitedFor(wait: NonNullable<Extract<Step, { kind: 'mount' }>['wait']>): string {
  switch (wait.kind) {
    case 'tag':
      return `tag ${wait.tag}`;
    case 'device':
      return wait.device;
    case 'server':
      return `NFS server ${wait.server} to answer on TCP port ${wait.ports.join(' and ')}${wait.versions.length > 1 ? `, then trying vers=${wait.versions.join(', ')} in turn` : ''}`;
  }
}
