// What `subhost start` would do for a config, as lines for `bootstrap plan`: the host's part (checks, hooks,
// mounts, namespaces) and PID 1's part before the boot steps it shares with every boot. Pure.
import { launchArgv } from './namespace-command';
import { overlayOptions, type SubhostSpec } from './subhost-spec';

/** The host's part of a start and PID 1's own steps before its boot, one line each. */
export function describeSubhostStart(spec: SubhostSpec): { host: string[]; inside: string[] } {
  const host: string[] = [`check base, live, the layers, work's mount, the image and the names (refuse before any change)`];
  for (const [index] of spec.premount.entries()) host.push(`run subhost.premount[${index}] on the host in ${spec.base}`);
  if (spec.ramSize !== undefined) host.push(`mount tmpfs (size=${spec.ramSize}) on ${spec.ramDirectory} for upper and work`);
  if (spec.image !== undefined) host.push(`attach ${spec.image} to a loop device and mount it on ${spec.imageDirectory} (upper and work are its /root and /work)`);
  if (spec.setup === 'overlay') host.push(`mount overlay on ${spec.live} (${overlayOptions(spec)})`);
  if (spec.setup === 'bind') host.push(`bind ${spec.upper} on ${spec.live}`);
  if (spec.setup === 'live') host.push(`use ${spec.live} as it is (upper = lower = live): no mount`);
  for (const share of spec.share) host.push(`bind ${share.source} on ${spec.live}${share.target}${share.readOnly ? ' read-only' : ''}`);
  for (const [index] of spec.postmount.entries()) host.push(`run subhost.postmount[${index}] on the host in ${spec.base}`);
  if (spec.netns !== undefined) host.push(`create the network namespace ${spec.name} (${spec.netns})`);
  const argv = launchArgv({ unshare: 'unshare', nsenter: 'nsenter', namespaces: spec.namespaces, netns: spec.netns, resume: false, argv: ['bootstrap', '__subhost-init', spec.name] });
  host.push(`start PID 1: ${argv.join(' ')}; wait for its handoff; its output goes to ${spec.log}`);
  if (spec.idMap) host.push('write the user namespace\'s uid_map and gid_map for PID 1, then release it');
  const inside: string[] = [];
  if (spec.idMap) inside.push('become root (uid 0, gid 0) of the user namespace');
  if (spec.namespaces.includes('uts')) inside.push(`set the hostname to ${spec.hostname}`);
  inside.push(`mount proc on ${spec.live}/proc${spec.namespaces.includes('net') ? ` and sysfs on ${spec.live}/sys` : ''}`);
  inside.push(`pivot_root into ${spec.live} and detach the host's tree`);
  return { host, inside };
}
