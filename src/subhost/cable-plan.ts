// overlay-boot's cables as the interfaces they make (its NETWORKING section): cable i is a veth pair, NAME<i> on
// the host and eth<i> in the subhost; a VLAN cable is PRIOR.N on the host end PRIOR of the nearest veth cable before
// it, with nothing in the subhost. Pure: what the host has is passed in.
import type { Cable } from '../config/generated/config-types';

/** What one cable makes. `cable` is its position in the list: a VLAN cable's number names no interface. */
export type CablePlan =
  | { kind: 'veth'; cable: number; host: string; inside: string; bridge: string | undefined; mac: string | undefined }
  | { kind: 'vlan'; cable: number; name: string; parent: string; id: number };

/** The host's links as preflight needs them. */
export interface HostLink {
  name: string;
  kind: string | undefined;
}

/** The kernel's IFNAMSIZ, less the terminating NUL. */
const MAX_INTERFACE_NAME = 15;

/** The interfaces `cables` make for subhost `name`; schema validation already refused a VLAN without a cable before it. */
export function planCables(name: string, cables: readonly Cable[]): CablePlan[] {
  const plans: CablePlan[] = [];
  let prior: string | undefined;
  for (const [cable, { bridge, mac, vlan }] of cables.entries()) {
    if (vlan === undefined) {
      prior = `${name}${cable}`;
      plans.push({ kind: 'veth', cable, host: prior, inside: `eth${cable}`, bridge, mac: mac?.toLowerCase() });
      continue;
    }
    if (prior === undefined) throw new Error(`cables[${cable}]: a VLAN cable needs a cable before it (validation should have said so)`);
    plans.push({ kind: 'vlan', cable, name: `${prior}.${vlan}`, parent: prior, id: vlan });
  }
  return plans;
}

/** The host interface a cable adds: a veth pair's host end, or the VLAN interface. */
export function hostInterface(plan: CablePlan): string {
  return plan.kind === 'veth' ? plan.host : plan.name;
}

/** Why the cables cannot be made on a host with `links`: a name too long or taken, a bridge missing or not one. */
export function cableProblems(plans: readonly CablePlan[], links: readonly HostLink[]): string[] {
  const problems: string[] = [];
  const byName = new Map(links.map((link) => [link.name, link]));
  for (const plan of plans) {
    const name = hostInterface(plan);
    const what = `cables[${plan.cable}]`;
    if (Buffer.byteLength(name) > MAX_INTERFACE_NAME) {
      problems.push(`${what}: the host interface ${name} would be ${Buffer.byteLength(name)} bytes long, more than the kernel's ${MAX_INTERFACE_NAME}; give the subhost a shorter name`);
    } else if (byName.has(name)) {
      problems.push(`${what}: an interface ${name} exists on the host already (left by an earlier start? ip link delete ${name})`);
    }
    if (plan.kind !== 'veth' || plan.bridge === undefined) continue;
    const bridge = byName.get(plan.bridge);
    if (bridge === undefined) problems.push(`${what}: bridge ${plan.bridge} does not exist on the host; create it first (the cable only attaches to it)`);
    else if (bridge.kind !== 'bridge') problems.push(`${what}: ${plan.bridge} is not a bridge (it is ${bridge.kind === undefined ? 'a device without a kind, e.g. a physical one' : `a ${bridge.kind}`})`);
  }
  return problems;
}
