// A container as lcboot's typical launch expects one, for `bootstrap boot` as its entry point: a tmpfs root holding
// the executable and the host's /usr, the next root at /mnt/root (a busybox tree, bound read-only), layers at
// /mnt/layers/0 and /1, a writable cache at /mnt/cache, and /proc, /sys and /dev, all inside `unshare --mount --pid
// --fork` so nothing reaches the host. Root, layers and cache live in a host directory the test reads afterwards;
// they belong to uid and gid 1000000, as the root of a container shifted by lcboot's idMap would.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childOf } from '../../harness/pid1';
import { buildGuestRoot } from '../../harness/vm/guest-root';
import { binary } from '../supervise/run-supervisor';

/** The host uid and gid that are 0 inside with lcboot's idMap. */
export const SHIFT = 1000000;

export interface ContainerOptions {
  /** The config, at /mnt/init.yml in the container. */
  config: string;
  /** The next root's /sbin/init. */
  init: string;
  /** Covers /usr/bin/unshare (and so /bin/unshare) with an empty, non-executable file. */
  hideUnshare?: boolean;
}

export interface RunningContainer {
  /** The host directory with root/, layers/0, layers/1 and cache/. */
  dir: string;
  /** The container's PID 1 (bootstrap boot) as the host sees it. */
  pid: number;
  child: ChildProcess;
  output(): string;
  /** The container's exit status (bootstrap boot's), or 128+signal. */
  exited: Promise<number>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Kills what is left (unshare --kill-child takes the whole PID namespace) and removes the host directory. */
  remove(): Promise<void>;
}

// Runs as PID 1 of the test's PID and mount namespaces: builds the container's root and execs bootstrap as its entry point.
const setup = `set -eu
H=$1; D=$H/container; BINARY=$2; HIDE=$3
mkdir -p "$D"
mount -t tmpfs -o mode=0755 lcboot-container "$D"
mkdir -p "$D"/usr "$D"/proc "$D"/sys "$D"/dev "$D"/run "$D"/tmp "$D"/sysroot "$D"/mnt/root "$D"/mnt/cache "$D"/mnt/layers/0 "$D"/mnt/layers/1
chmod 1777 "$D"/tmp
for link in bin lib lib64 sbin; do ln -s usr/$link "$D"/$link; done
mount --rbind /usr "$D"/usr
if [ "$HIDE" = 1 ]; then touch "$D"/tmp/no-unshare; mount --bind "$D"/tmp/no-unshare "$D"/usr/bin/unshare; fi
touch "$D"/bootstrap; mount --bind "$BINARY" "$D"/bootstrap
cp "$H"/init.yml "$D"/mnt/init.yml
mount --bind "$H"/root "$D"/mnt/root; mount -o remount,bind,ro "$D"/mnt/root
mount --bind "$H"/layers/0 "$D"/mnt/layers/0
mount --bind "$H"/layers/1 "$D"/mnt/layers/1
mount --bind "$H"/cache "$D"/mnt/cache
mount -t proc proc "$D"/proc
mount -t sysfs sysfs "$D"/sys
mount --rbind /dev "$D"/dev
cd "$D"; mkdir .old; pivot_root . .old; umount -l /.old; rmdir /.old
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /bootstrap boot --config /mnt/init.yml --cmdline ''
`;

function chownTree(path: string, id: number): void {
  chownSync(path, id, id);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) {
    const child = join(path, name);
    if (lstatSync(child).isSymbolicLink()) continue;
    chownTree(child, id);
  }
}

/** Builds the container and starts it; its output is collected from stdout and stderr together. */
export async function startContainer(options: ContainerOptions): Promise<RunningContainer> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: build it first (tsx scripts/build.ts)`);
  const dir = mkdtempSync(join(tmpdir(), 'lcboot-'));
  chmodSync(dir, 0o755);
  buildGuestRoot(join(dir, 'root'));
  writeFileSync(join(dir, 'root/sbin/init'), options.init, { mode: 0o755 });
  for (const layer of ['0', '1']) {
    mkdirSync(join(dir, 'layers', layer), { recursive: true });
    writeFileSync(join(dir, 'layers', layer, `layer${layer}`), `layer${layer}\n`);
    writeFileSync(join(dir, 'layers', layer, 'same'), `from-layer-${layer}\n`);
  }
  writeFileSync(join(dir, 'root/same'), 'from-root\n');
  mkdirSync(join(dir, 'cache'));
  for (const part of ['root', 'layers', 'cache']) chownTree(join(dir, part), SHIFT);
  writeFileSync(join(dir, 'init.yml'), options.config);
  writeFileSync(join(dir, 'setup.sh'), setup);
  const child = spawn('unshare', ['--mount', '--pid', '--fork', '--propagation', 'private', '--kill-child', 'sh', join(dir, 'setup.sh'), dir, binary, options.hideUnshare ? '1' : '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128))));
  const pid = await childOf(child.pid!);
  return {
    dir,
    pid,
    child,
    output: () => text,
    exited,
    waitFor: async (pattern, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(text);
        if (match) return match;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${String(pattern)}; output:\n${text}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    remove: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
