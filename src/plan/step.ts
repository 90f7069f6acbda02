// The steps a boot performs, as data: what `bootstrap plan` prints and what the executor runs.
import type { NamespaceName, OnFailure } from '../config/generated/config-types';
import type { IdMapRange } from '../config/id-map';

export type PhaseName = 'preSwitch' | 'switchRoot' | 'postSwitch';

/** How a failing step is treated; Retry tries `retries` more times, `retryDelayMs` apart, then aborts. */
export interface FailurePolicy {
  onFailure: OnFailure;
  retries: number;
  retryDelayMs: number;
}

/** Mount flags by the names users write (readOnly, noExec, …) resolved to MS_* names. */
export type MountFlag =
  | 'MS_RDONLY'
  | 'MS_NOEXEC'
  | 'MS_NOSUID'
  | 'MS_NODEV'
  | 'MS_SYNCHRONOUS'
  | 'MS_DIRSYNC'
  | 'MS_MANDLOCK'
  | 'MS_POSIXACL'
  | 'MS_NOATIME'
  | 'MS_RELATIME'
  | 'MS_STRICTATIME'
  | 'MS_LAZYTIME'
  | 'MS_BIND';

/** What must exist before a mount can succeed: a virtio tag or a block device, waited for up to timeoutMs. */
export type MountWait =
  | { kind: 'tag'; fsType: 'virtiofs' | '9p'; tag: string; timeoutMs: number }
  | { kind: 'device'; device: string; timeoutMs: number }
  /**
   * An NFS server: each of `ports` must take a TCP connection before mount(2), which could otherwise block long; then
   * each of `versions` (vers=) in turn while the server says EPROTONOSUPPORT.
   */
  | { kind: 'server'; server: string; export: string; ports: number[]; versions: string[]; timeoutMs: number };

/**
 * A module to find when its step runs, in the module tree of the root it runs in: after a switch, the real root's tree
 * (modules.dep, modules.alias, modules.softdep, modules.builtin), which the plan, made in the initramfs, cannot read.
 */
export interface ModuleLookup {
  /** The name, alias or path as the config lists it. */
  request: string;
  /** The `directory` of the phase's modules config; its subdirectory for the running kernel is tried too. */
  directory: string;
  depFilePath: string | undefined;
  /** Parameters by module name, for the module and for the dependencies it brings along. */
  parameters: Record<string, string>;
  /** modules.parallel: its dependencies load at the same time as far as they allow, or one after another. */
  parallel: boolean;
}

/** The id mapping of an idmapped bind: a file stored as uid `inside + n` is seen through the mount as `outside + n`. */
export interface MountIdMap {
  users: IdMapRange[];
  groups: IdMapRange[];
}

interface StepBase {
  phase: PhaseName;
  /** JSON pointer of the config value the step comes from, or "" for automatic steps. */
  source: string;
  policy: FailurePolicy;
}

export type Step =
  | (StepBase & { kind: 'console'; device: string })
  /** Runs the rest of the boot in new namespaces (created by unshare(1)); uidMap and gidMap are empty without `user`. */
  | (StepBase & { kind: 'namespaces'; namespaces: NamespaceName[]; uidMap: IdMapRange[]; gidMap: IdMapRange[] })
  /** `fresh`: why a new one is mounted even over one already there (the namespace it shows is not ours). */
  | (StepBase & { kind: 'mountVirtual'; fsType: string; target: string; options: string; flags: MountFlag[]; fresh: string | undefined })
  | (StepBase & { kind: 'loopback'; interface: string })
  /**
   * `after`: the modules of this plan, loaded by the steps before it, that this one needs first (modules.dep, soft
   * dependencies); loads next to each other then run at the same time as far as it allows. Undefined: after every step
   * before it (modules.parallel false, a module looked up at run time, a tree without modules.dep).
   */
  | (StepBase & { kind: 'loadModule'; name: string; path: string | undefined; parameters: string; lookup: ModuleLookup | undefined; after: string[] | undefined })
  /** A listed module the kernel has built in, given parameters no load can apply: the step warns (kernel command line). */
  | (StepBase & { kind: 'builtinModule'; name: string; parameters: string })
  | (StepBase & { kind: 'mount'; fsType: string; device: string; target: string; flags: MountFlag[]; options: string; wait: MountWait | undefined; idMap: MountIdMap | undefined })
  | (StepBase & { kind: 'sysctl'; key: string; value: string })
  | (StepBase & { kind: 'symlink'; path: string; target: string })
  | (StepBase & { kind: 'tmpfile'; path: string; type: 'file' | 'directory'; mode: number | undefined; user: number | string | undefined; group: number | string | undefined; content: string | undefined })
  | (StepBase & { kind: 'setEnv'; variables: Record<string, string> })
  /** Waits up to timeoutMs for the link (and its carrier), sets its MTU, brings it up, adds its addresses and routes. */
  | (StepBase & { kind: 'network'; interface: string; match: LinkMatch; timeoutMs: number; mtu: number | undefined; dhcp4: boolean; addresses: string[]; routes: PlannedRoute[] })
  /** Writes /etc/resolv.conf of the root the step runs in; `leases`: adds the DNS servers and domains of DHCP leases. */
  | (StepBase & { kind: 'resolvConf'; nameservers: string[]; search: string[]; leases: boolean })
  | (StepBase & { kind: 'hostname'; hostname: string })
  | (StepBase & { kind: 'hook'; argv: string[]; input: string | undefined; timeoutMs: number | undefined })
  | (StepBase & { kind: 'checkHandoff'; root: string; programs: string[] })
  /**
   * `freeInitramfs` (mode move): when the initramfs's files are deleted. `after-handoff` when bootstrap stays PID 1
   * (every handoff but exec), so the handoff does not wait for it; `at-switch` before an exec, which ends PID 1.
   */
  | (StepBase & { kind: 'switchRoot'; newRoot: string; carryMounts: string[]; mode: SwitchMode; freeInitramfs: 'at-switch' | 'after-handoff' })
  | (StepBase & { kind: 'bootScript'; argv: string[]; timeoutMs: number | undefined })
  /** `initctl`: PID 1 also takes SysV init requests on /dev/initctl (never with an exec handoff: validation refuses it). */
  | (StepBase & { kind: 'handoff'; handoff: HandoffPlan; initctl: boolean });

/** How a network step finds its interface: by the kernel's name, or by MAC address (whatever the kernel named it). */
export type LinkMatch = { name: string } | { mac: string };

/** A route as the config gives it: to "default" or a prefix, through a gateway. */
export interface PlannedRoute {
  to: string;
  via: string;
  metric: number | undefined;
}

/**
 * How the new root becomes `/` (switchRoot.mode): `move` is the initramfs way (MS_MOVE of the new root onto `/`, then
 * chroot); `pivot` pivot_root(2) and the old root detached; `chroot` chroot(2) only; `none` leaves `/` as it is.
 */
export type SwitchMode = 'move' | 'pivot' | 'chroot' | 'none';

export type HandoffPlan =
  | { mode: 'exec'; argv: string[] }
  /** `terminal`: the device the shell runs on when it is not the console (a /dev path). */
  | { mode: 'shell'; argv: string[]; onExit: 'respawn' | 'poweroff' | 'reboot' | 'halt'; terminal: string | undefined }
  | { mode: 'supervise'; processes: Record<string, { argv: string[] }> }
  /** PID 1 runs nothing more: it reaps and holds its namespaces until a signal or `subhost stop` ends it. */
  | { mode: 'none' };

export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;
