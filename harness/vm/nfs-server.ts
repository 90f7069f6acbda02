// Starts Debian's NFS-Ganesha (userspace, NFSv3 and NFSv4 from one process) on 127.0.0.1, exporting a directory
// read-write to a QEMU guest, which reaches it as 10.0.2.2 through user networking. Nothing listens beyond loopback.
//
// Ganesha registers NFSv3 and MOUNT with rpcbind and exits when it cannot. So that the test needs no rpcbind of the
// machine's (port 111, shared with everyone), a private one runs in a network namespace of its own, inside a mount
// namespace whose /run is a private tmpfs: ganesha, in that mount namespace too, registers through /run/rpcbind.sock,
// while it serves on the machine's loopback. The guest never asks rpcbind: it is given both ports (port=, mountport=).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnTracked, tempDir, type ProcessExit } from './processes';
import { TestBedError } from './test-bed-error';

/** A running server: the exported directory, its two ports on 127.0.0.1, and its log. */
export interface NfsServer {
  dir: string;
  /** NFS (v3 and v4). */
  port: number;
  /** NFSv3's MOUNT protocol. */
  mountPort: number;
  log(): string;
  stop(): Promise<ProcessExit>;
}

const ganesha = '/usr/bin/ganesha.nfsd';
const rpcbind = '/usr/sbin/rpcbind';

/** The NFS and MOUNT ports a server will listen on. */
export interface NfsPorts {
  port: number;
  mountPort: number;
}

/**
 * Starts ganesha on `dir` (on `ports`, or two free ones) and resolves once it serves; rejects with its log when it
 * exits or stalls first. The harness's stopAll stops it like any other process: a test that boots from it starts it.
 */
export async function startNfsServer(dir: string, ports?: NfsPorts, timeoutMs = 20_000): Promise<NfsServer> {
  for (const program of [ganesha, rpcbind]) {
    if (!existsSync(program)) throw new TestBedError(`${program} is missing: run scripts/setup/host-packages.sh (nfs-ganesha, nfs-ganesha-vfs)`);
  }
  if (!existsSync(dir)) throw new TestBedError(`NFS server: exported directory ${dir} does not exist`);
  const work = tempDir('nfs-ganesha');
  const { port, mountPort } = ports ?? (await freeNfsPorts());
  const config = join(work, 'ganesha.conf');
  const log = join(work, 'ganesha.log');
  writeFileSync(config, ganeshaConfig({ dir, port, mountPort, recovery: join(work, 'recovery') }));
  writeFileSync(log, '');
  // bash stays the parent of both, so stopping it (TERM) stops them; pdeathsig covers a test worker that dies.
  const script = `set -e
mount -t tmpfs -o mode=0755 nfs-test-run /run
unshare --net ${rpcbind} -f & rpcbind=$!
for i in $(seq 100); do [ -S /run/rpcbind.sock ] && break; sleep 0.05; done
setpriv --pdeathsig KILL -- ${ganesha} -F -f "$1" -L "$2" -p "$3" -N NIV_EVENT & ganesha=$!
trap 'kill $ganesha $rpcbind 2>/dev/null; wait' TERM INT EXIT
wait $ganesha`;
  const server = spawnTracked('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script, 'nfs-server', config, log, join(work, 'ganesha.pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let ended = false;
  void server.exited.then(() => (ended = true));
  const text = (): string => `${stderr}${readFileSync(log, 'utf8')}`;
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(log, 'utf8').includes('NFS SERVER INITIALIZED')) {
    if (ended) throw new TestBedError(`ganesha exited before serving:\n${text()}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new TestBedError(`ganesha did not serve within ${timeoutMs} ms:\n${text()}`);
    }
    await sleep(50);
  }
  return { dir, port, mountPort, log: text, stop: () => server.stop() };
}

// No grace period (a fresh server has no clients to reclaim locks), TCP only, no NLM or RQUOTA, every RPC on
// 127.0.0.1, and the directory exported read-write without root squashing: the guest's root writes as root.
// Ganesha checks no privileged source port (QEMU's user networking connects from unprivileged ones).
function ganeshaConfig(spec: { dir: string; port: number; mountPort: number; recovery: string }): string {
  return `NFS_CORE_PARAM {
  Bind_addr = 127.0.0.1;
  NFS_Port = ${spec.port};
  MNT_Port = ${spec.mountPort};
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
  Protocols = 3, 4;
}
NFSV4 {
  Graceless = true;
  RecoveryBackend = fs;
  RecoveryRoot = ${spec.recovery};
}
EXPORT {
  Export_Id = 1;
  Path = ${spec.dir};
  Pseudo = ${spec.dir};
  Access_Type = RW;
  Squash = No_Root_Squash;
  SecType = sys;
  Protocols = 3, 4;
  Transports = TCP;
  FSAL { Name = VFS; }
}
`;
}

/** Two ports the kernel hands out as free now, both held until both are known; a server binds them a moment later. */
export async function freeNfsPorts(): Promise<NfsPorts> {
  const listen = (): Promise<ReturnType<typeof createServer>> =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
  const servers = [await listen(), await listen()] as const;
  const [first, second] = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new TestBedError('no TCP port was free on 127.0.0.1');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (first === undefined || second === undefined) throw new TestBedError('no TCP port was free on 127.0.0.1');
  return { port: first, mountPort: second };
}
