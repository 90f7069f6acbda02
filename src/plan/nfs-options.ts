// What the kernel's NFS client takes from mount(2) for an `nfs` mount: its filesystem type, the "server:/export"
// source and the text options (nfs(5)). Pure.
import type { Nfs } from '../config/generated/config-types';

/** The mount(2) arguments of an NFS export, and the TCP ports that must answer before the call is worth making. */
export interface NfsCall {
  fsType: 'nfs' | 'nfs4';
  device: string;
  options: string;
  /** The NFS port, and for NFSv3 with `mountPort` the mount daemon's. */
  ports: number[];
  /** The vers= values to try in turn, the first in `options`: a server without a minor version says EPROTONOSUPPORT. */
  versions: string[];
}

// A server that takes the connection but never answers holds mount(2), and PID 1's only thread, for (retrans + 1) ×
// timeo: measured on 6.1, 181.6 s with nfs(5)'s TCP defaults (timeo=600, retrans=2) and 6.2 s with timeo=30,retrans=1.
// These make it 30 s. They stay the mount's for its life: a hard mount still retries for ever, from a 10 s timeout.
const rpcTimeouts = ['timeo=100', 'retrans=2'];

// The kernel mounts "vers=4" as NFSv4.0 and never tries a higher minor version; mount.nfs asks for these in turn.
const minorVersions = ['4.2', '4.1', '4.0'];

/** The modules the kernel needs for this version: it asks modprobe for them itself, and an initramfs has no modprobe. */
export function nfsModules(version: Nfs['version']): string[] {
  return nfsVersion(version) === '3' ? ['nfsv3'] : ['nfsv4'];
}

/** The version as vers= takes it: 4 when omitted; YAML's number 4.1 and the string "4.1" alike. */
export function nfsVersion(version: Nfs['version']): string {
  return version === undefined ? '4' : String(version);
}

/**
 * mount(2) does no DNS lookup and no rpcbind query of its own: `addr=` carries the address, `port=` the NFS port, and
 * NFSv3 asks the mount daemon over TCP (`mountproto=tcp`, `mountport=` when given, else through the server's
 * rpcbind). NFSv3 gets `nolock`: lockd would need statd, which no initramfs runs, so locks stay local to the client.
 * The user's options come last: the kernel takes the last value of an option, so they override these. Version 4
 * (the default) is 4.2, then 4.1, then 4.0, whichever the server has first, as mount.nfs negotiates it.
 */
export function nfsCall(spec: Nfs, userOptions: string | undefined): NfsCall {
  const version = nfsVersion(spec.version);
  const port = spec.port ?? 2049;
  const server = spec.server.includes(':') ? `[${spec.server}]` : spec.server;
  const versions = version === '4' ? minorVersions : [version];
  const options = [`vers=${versions[0] ?? version}`, 'proto=tcp', `port=${port}`, `addr=${spec.server}`, ...rpcTimeouts];
  const ports = [port];
  if (version === '3') {
    options.push('nolock', 'mountproto=tcp');
    if (spec.mountPort !== undefined) {
      options.push(`mountport=${spec.mountPort}`);
      ports.push(spec.mountPort);
    }
  }
  if (userOptions) options.push(userOptions);
  return { fsType: version === '3' ? 'nfs' : 'nfs4', device: `${server}:${spec.export}`, options: options.join(','), ports, versions };
}
