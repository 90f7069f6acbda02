// The part of a plan that `namespaces` and `idMap` decide: the step that creates the namespaces, and which automatic
// virtual filesystems must be mounted anew inside them. Pure.
import type { Config, NamespaceName } from '../config/generated/config-types';
import { idMapRanges } from '../config/id-map';
import type { FailurePolicy, Step } from './step';
import type { VirtualMount } from './virtual-mounts';

const abort: FailurePolicy = { onFailure: 'Abort', retries: 0, retryDelayMs: 0 };

/** The step that runs the rest of the boot in new namespaces, or none without `namespaces`. Throws RangeError on an unusable id range. */
export function namespacesStep(config: Config): Step[] {
  const namespaces = config.namespaces ?? [];
  if (namespaces.length === 0) return [];
  const user = namespaces.includes('user') && config.idMap !== undefined;
  return [
    {
      kind: 'namespaces',
      phase: 'preSwitch',
      source: '/namespaces',
      policy: abort,
      namespaces: [...namespaces],
      uidMap: user ? idMapRanges(config.idMap!.users) : [],
      gidMap: user ? idMapRanges(config.idMap!.groups) : [],
    },
  ];
}

/**
 * Why `mount` must be mounted anew even where the parent left one, or undefined. Inside new namespaces the inherited
 * /proc lists the processes of the parent's PID namespace and /sys the parent's network devices. Only with a mount
 * namespace of our own: otherwise the new one would cover the parent's too.
 */
export function freshReason(mount: VirtualMount, namespaces: readonly NamespaceName[]): string | undefined {
  if (!namespaces.includes('mount')) return undefined;
  if (mount.fsType === 'proc' && namespaces.includes('pid')) return 'the PID namespace is new';
  if (mount.fsType === 'sysfs' && namespaces.includes('net')) return 'the network namespace is new';
  return undefined;
}
