// `bootstrap __subhost-init STATE`: the subhost's PID 1. unshare(1) starts it in the new namespaces (the mount
// namespace a private copy of the host's, with the root already mounted at LIVE by `subhost start`); it names
// the host, makes LIVE its / with pivot_root(2), and then boots on the PID 1 runtime in the namespace role:
// /proc, /sys, /dev, /run of its own, lo up, the postSwitch steps, the handoff.
import { closeSync, writeSync } from 'node:fs';
import { boot } from '../boot/boot';
import { MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_REC } from '../sys/mount';
import { realSys, type Sys } from '../sys/index';
import { becomeNamespaceRoot } from '../namespaces/become-root';
import { readOneByte } from '../namespaces/handshake';
import { innerConfig } from './inner-config';
import { RELEASE_TIMEOUT_MS } from './subhost-spec';
import { readState } from './subhost-state';

/** What `subhost start` hands its PID 1: the state file's subhost, the descriptor to say "ready" on, the one to wait on. */
export interface SubhostInitOptions {
  name: string;
  readyFd: number | undefined;
  /** `start` writes a byte here once PID 1's host side is made (id maps, cables); PID 1 waits for it first. */
  releaseFd: number | undefined;
  sys?: Sys;
}

/** Never returns: fails with a message and status 1 before the runtime exists, or ends as the boot ends. */
export async function subhostInit(options: SubhostInitOptions): Promise<never> {
  const sys = options.sys ?? realSys;
  const state = readState(options.name);
  if (!state) return die(`no state for subhost ${options.name}: it is started by bootstrap subhost start`);
  const { spec } = state;
  if (process.pid !== 1) return die(`PID ${process.pid}: the subhost's init must be PID 1 of a new PID namespace`);
  if (spec.namespaces.includes('user') && options.releaseFd === undefined) return die('a subhost with a user namespace is released by subhost start once its id maps are written: --release-fd is missing');
  if (options.releaseFd !== undefined) {
    // `start` writes the id maps and makes the cables from outside once it sees this process, then releases it.
    const released = await readOneByte(options.releaseFd, RELEASE_TIMEOUT_MS);
    if (released !== 'byte') return die(released === 'timeout' ? `subhost start did not release PID 1 within ${RELEASE_TIMEOUT_MS} ms` : 'subhost start gave up before releasing PID 1 (its id maps or cables failed)');
  }
  if (spec.namespaces.includes('user')) {
    try {
      becomeNamespaceRoot(sys);
    } catch (error) {
      return die(`becoming root of the user namespace: ${(error as Error).message}`);
    }
  }
  try {
    if (spec.namespaces.includes('uts')) sys.sethostname(spec.hostname);
    // pivot_root(2) needs the new root to be a mount point, and one of this namespace: a mount copied into a user
    // namespace from the host's is locked (EINVAL). The bind is made here, private, nobody else's.
    if (spec.setup === 'live' || spec.namespaces.includes('user')) sys.mount({ source: spec.live, target: spec.live, flags: MS_BIND | MS_REC });
    // The subhost's own /proc (of its PID namespace) and /sys (of its network namespace), mounted while the host's
    // are still visible: in a user namespace the kernel mounts proc and sysfs only where one is fully visible already.
    sys.mount({ source: 'proc', target: `${spec.live}/proc`, fsType: 'proc', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC });
    if (spec.namespaces.includes('net')) sys.mount({ source: 'sysfs', target: `${spec.live}/sys`, fsType: 'sysfs', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC });
    // devtmpfs cannot be mounted in a user namespace: its /dev is the host's, bound (the boot then finds it mounted).
    if (spec.namespaces.includes('user')) sys.mount({ source: '/dev', target: `${spec.live}/dev`, flags: MS_BIND | MS_REC });
    sys.chdir(spec.live);
    // pivot_root(".", ".") stacks the old root on the new one; unmounting "." then drops the host's tree.
    sys.pivotRoot('.', '.');
    sys.umount({ target: '.', flags: MNT_DETACH });
    sys.chdir('/');
  } catch (error) {
    return die(`entering the root ${spec.live}: ${(error as Error).message}`);
  }
  return boot({
    role: 'namespace',
    sys,
    cmdline: '',
    config: innerConfig(state.config),
    onHandoff: () => ready(options.readyFd),
    // A shell handoff runs on the terminal `start` was run from: its Ctrl-C and Ctrl-\ reach PID 1 too.
    ...(state.config.postSwitch.handoff.mode === 'shell' ? { ignoredSignals: ['SIGINT', 'SIGQUIT'] as const } : {}),
  });
}

function ready(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    writeSync(fd, 'ready\n');
    closeSync(fd);
  } catch {
    // `start` gave up waiting (or was killed): nobody to tell.
  }
}

function die(message: string): never {
  process.stderr.write(`bootstrap subhost init: ${message}\n`);
  process.exit(1);
}
