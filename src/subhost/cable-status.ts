// What `subhost status` says of a subhost's cables: each configured cable with its host interface as the host sees
// it now (missing when something outside bootstrap deleted it), read from /sys/class/net.
import { readOptional } from '../probe/read-optional';
import { hostInterface, type CablePlan } from './cable-plan';

export interface CableStatus {
  cable: number;
  kind: CablePlan['kind'];
  /** The host interface the cable made: a veth pair's host end, or the VLAN interface. */
  host: string;
  /** The veth pair's end in the subhost (eth<i>); null for a VLAN cable. */
  inside: string | null;
  bridge: string | null;
  mac: string | null;
  vlan: number | null;
  /** The host interface's operstate (up, down, lowerlayerdown, …), or `missing`. */
  hostState: string;
}

/** The cables of a subhost whose state holds `plans`, with the host interfaces' state now. */
export function cableStatuses(plans: readonly CablePlan[]): CableStatus[] {
  return plans.map((plan) => {
    const host = hostInterface(plan);
    const hostState = readOptional(`/sys/class/net/${host}/operstate`)?.trim() ?? 'missing';
    if (plan.kind === 'vlan') return { cable: plan.cable, kind: plan.kind, host, inside: null, bridge: null, mac: null, vlan: plan.id, hostState };
    return { cable: plan.cable, kind: plan.kind, host, inside: plan.inside, bridge: plan.bridge ?? null, mac: plan.mac ?? null, vlan: null, hostState };
  });
}

/** One line per cable for the text status. */
export function formatCable(cable: CableStatus): string {
  if (cable.vlan !== null) return `${cable.cable}: VLAN ${cable.vlan} as ${cable.host} on the host (${cable.hostState})`;
  const far = `${cable.inside}${cable.mac === null ? '' : ` (MAC ${cable.mac})`}`;
  return `${cable.cable}: ${cable.host} (${cable.hostState}${cable.bridge === null ? '' : `, port of ${cable.bridge}`}) to ${far} in the subhost`;
}
