// A subhost's cables made on the host, each recorded as it is made so that `stop` (or a failed start) removes it:
// the veth pair with its subhost end created directly in the subhost's network namespace, the host end given to
// its bridge or brought up for ifup; a VLAN interface on a prior cable's host end.
import type { Logger } from '../log/log';
import type { NetnsRef, Sys } from '../sys/index';
import type { CablePlan } from './cable-plan';
import type { IfUpDown } from './ifupdown';
import type { HostChange } from './subhost-state';

export interface CableDeps {
  sys: Pick<Sys, 'addLink' | 'changeLink'>;
  log: Logger;
  record: (change: HostChange) => void;
  /** ifup of the host, or undefined when it has none. */
  ifup: IfUpDown | undefined;
}

/** Makes every cable of a subhost whose network namespace is `netns`; throws at the first that fails. */
export function setUpCables(plans: readonly CablePlan[], netns: NetnsRef, deps: CableDeps): void {
  const { sys, log, record } = deps;
  for (const plan of plans) {
    if (plan.kind === 'veth') {
      log.info(`cables[${plan.cable}]: veth ${plan.host} on the host, ${plan.inside}${plan.mac ? ` (${plan.mac})` : ''} in the subhost`);
      sys.addLink({ kind: 'veth', name: plan.host, peer: { name: plan.inside, ...(plan.mac === undefined ? {} : { mac: plan.mac }), netns } });
      record({ kind: 'link', name: plan.host });
      if (plan.bridge !== undefined) {
        log.info(`cables[${plan.cable}]: ${plan.host} joins bridge ${plan.bridge}`);
        sys.changeLink({ name: plan.host, master: plan.bridge, up: true });
        continue;
      }
      sys.changeLink({ name: plan.host, up: true });
      ifup(plan.host, deps);
    } else {
      log.info(`cables[${plan.cable}]: VLAN ${plan.id} on ${plan.parent}: ${plan.name}`);
      sys.addLink({ kind: 'vlan', name: plan.name, parent: plan.parent, id: plan.id });
      record({ kind: 'link', name: plan.name });
      sys.changeLink({ name: plan.name, up: true });
      ifup(plan.name, deps);
    }
  }
}

// "the host end interface attracts an ifup $IF attempt": an attempt, so its failure is a warning.
function ifup(name: string, deps: CableDeps): void {
  if (deps.ifup === undefined) {
    deps.log.info(`${name} is up; the host has no ifup to configure it`);
    return;
  }
  const failure = deps.ifup(name);
  if (failure === undefined) deps.record({ kind: 'ifup', name });
  else deps.log.warn(`${failure}; ${name} is up without the host's configuration of it`);
}
