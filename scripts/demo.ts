// The demo: pack dist/bootstrap into an initramfs, boot a QEMU guest whose root is a virtiofs share, let
// bootstrap hand off to a program in the guest, show its output, and check the guest powered off cleanly;
// then the same in one command with `bootstrap vm`.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest, buildGuestRoot, readKernelEnv, removeTempDirs, stopAll, tempDir, virtiofsdWrapper, waitForExit } from '../harness/vm';

const root = join(import.meta.dirname, '..');
const binary = join(root, 'dist/bootstrap');
const kernel = readKernelEnv();
const work = tempDir('demo');
const share = buildGuestRoot(join(work, 'share'));

// The handoff program: it runs as PID 1 of the guest with the console on fds 0-2.
mkdirSync(join(share, 'usr/local/bin'), { recursive: true });
writeFileSync(
  join(share, 'usr/local/bin/hello'),
  `#!/bin/sh
echo "demo: hello from the guest, running as PID $$ on kernel $(uname -r)"
echo "demo: root is $(grep ' / ' /proc/mounts | cut -d' ' -f1,3 | tail -n 1)"
echo "demo: GREETING=$GREETING, vm.swappiness=$(cat /proc/sys/vm/swappiness), /etc/motd says: $(cat /etc/motd)"
echo "demo: bootstrap's report: $(grep -c '"status": "ok"' /run/bootstrap/report.json) steps ok"
echo "demo: powering off"
sync
poweroff -f
`,
);
chmodSync(join(share, 'usr/local/bin/hello'), 0o755);

const config = join(work, 'bootstrap.yaml');
writeFileSync(
  config,
  `# The demo guest: virtiofs root with a tmpfs overlay, exec handoff to /usr/local/bin/hello.
console: console
logLevel: info
emergency: {action: poweroff}
preSwitch:
  modules:
    names: [virtio_pci, virtiofs, overlay]
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs, overlay: true}
postSwitch:
  sysctl: {vm.swappiness: 10}
  tmpfiles:
    - {path: /etc/motd, content: "written by bootstrap at boot\\n", mode: "0644"}
  environment: {GREETING: hello}
  handoff: {mode: exec, program: /usr/local/bin/hello}
`,
);

const initrd = join(work, 'initrd.img');
process.stdout.write(`$ bootstrap validate ${config}\n${execFileSync(binary, ['validate', config], { encoding: 'utf8' })}`);
process.stdout.write(
  `$ bootstrap pack --config ... --modules-from ${kernel.modules} --output initrd.img\n` +
    execFileSync(binary, ['pack', '--config', config, '--output', initrd, '--modules-from', kernel.modules, '--compress', 'zstd'], { encoding: 'utf8' }),
);
process.stdout.write(`$ qemu-system-x86_64 -kernel vmlinuz-${kernel.version} -initrd initrd.img (virtiofs share: a busybox root)\n`);

const guest = await bootGuest({ initrd, root: { kind: 'virtiofs', dir: share }, append: 'quiet', timeoutMs: 120_000 });
let shown = 0;
const stream = setInterval(() => {
  const text = guest.console();
  process.stdout.write(text.slice(shown).replace(/\r/g, ''));
  shown = text.length;
}, 100);
let ok = false;
try {
  const exit = await waitForExit(guest, 120_000);
  clearInterval(stream);
  const text = guest.console();
  process.stdout.write(text.slice(shown).replace(/\r/g, ''));
  ok = exit.code === 0 && !guest.panicked() && /demo: hello from the guest, running as PID 1/.test(text) && /demo: powering off/.test(text);
  process.stdout.write(ok ? '\ndemo: the guest booted through bootstrap, ran the handoff program as PID 1 and powered off cleanly\n' : `\ndemo FAILED: QEMU exit ${JSON.stringify(exit)}${guest.panicked() ? ', kernel panic' : ''}\n`);
  if (ok) ok = await oneCommand();
} finally {
  clearInterval(stream);
  await stopAll();
  removeTempDirs();
}
process.exitCode = ok ? 0 : 1;

// The same in one command: `bootstrap vm` packs, boots and runs the command, whose output and status are its own.
async function oneCommand(): Promise<boolean> {
  const command = ['/bin/sh', '-c', 'echo "demo: $(uname -r) says hello from $(cat /proc/1/comm) as PID 1 of the guest"; exit 3'];
  const args = ['vm', '--root', share, '--kernel', kernel.image, '--modules', kernel.modules, '--virtiofsd', virtiofsdWrapper, '--accel', 'tcg', '--', ...command];
  process.stdout.write(`\n$ bootstrap vm --root SHARE --kernel vmlinuz-${kernel.version} --modules ... -- ${command.map((word) => (/\s/.test(word) ? `'${word}'` : word)).join(' ')}\n`);
  const vm = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, XDG_CACHE_HOME: join(work, 'cache') } });
  const status = await new Promise<number | null>((resolve) => vm.once('close', (code) => resolve(code)));
  process.stdout.write(`(exit status ${String(status)})\n`);
  const passed = status === 3;
  process.stdout.write(passed ? 'demo: bootstrap vm ran the command in a guest and returned its exit status\n' : 'demo FAILED: bootstrap vm did not return the command\'s status 3\n');
  return passed;
}
