// Builds the qemu-system-x86_64 (or qemu-system-aarch64) command line for a test guest (pure, so the recipes can
// be read and checked).

/** The guest's architecture: x86_64 by default, aarch64 for the arm64 executable (test/vm/arm64.test.ts). */
export type GuestArch = 'x86_64' | 'aarch64';

/** Where the guest's root file system comes from; the initramfs decides how to mount it. */
export type GuestRoot =
  | { kind: 'virtiofs'; dir: string }
  | { kind: '9p'; dir: string }
  | { kind: 'block'; image: string }
  | { kind: 'none' };

/**
 * A virtio-net card: `user` on QEMU's user networking (DHCP gives 10.0.2.15/24, router 10.0.2.2, DNS 10.0.2.3;
 * nothing leaves the machine), `unwired` on a hub port with nothing else on the hub.
 */
export interface Nic {
  network: 'user' | 'unwired';
  mac: string;
}

/** Everything the command line depends on, with defaults already applied. */
export interface QemuSpec {
  kernel: string;
  initrd?: string;
  append: string;
  memoryMiB: number;
  root: GuestRoot;
  /** The mount tag of a virtiofs or 9p root. */
  tag: string;
  /** The vhost-user socket of the virtiofsd serving a virtiofs root. */
  virtiofsSocket?: string;
  /** Raw images attached after the root disk: /dev/vdb, /dev/vdc, … (or /dev/vda, … without a block root). */
  extraDisks: readonly string[];
  /** Network cards, in PCI order (the guest's eth0, eth1, …). */
  nics?: readonly Nic[];
  /** x86_64 when absent. */
  arch?: GuestArch;
  /** Virtual CPUs; QEMU's one when absent. With TCG each is a host thread (multi-threaded TCG). */
  cpus?: number;
}

/** The kernel arguments every guest gets: the console on the serial port, and a panic that ends QEMU at once. */
export const baseAppend = 'console=ttyS0 panic=-1';

/** As baseAppend for a guest of `arch`: arm64's virt board has a PL011 serial port, ttyAMA0. */
export function baseAppendFor(arch: GuestArch = 'x86_64'): string {
  return arch === 'aarch64' ? 'console=ttyAMA0 panic=-1' : baseAppend;
}

/** The QEMU system emulator for a guest of `arch`. */
export function qemuProgram(arch: GuestArch = 'x86_64'): string {
  return arch === 'aarch64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
}

/** The argument vector (without the program name) for qemuProgram(spec.arch). */
export function qemuArgs(spec: QemuSpec): string[] {
  const args = [
    // Nested KVM hangs on this machine's kind, so every guest is emulated.
    '-accel', 'tcg',
    ...machineArgs(spec.arch ?? 'x86_64'),
    '-nographic',
    // -nodefaults drops the VGA card and the NIC (whose option ROM slows the BIOS).
    '-nodefaults', '-no-user-config',
    // A panic (panic=-1) or a reboot ends QEMU instead of looping.
    '-no-reboot',
    '-m', `${spec.memoryMiB}M`,
    ...(spec.cpus === undefined ? [] : ['-smp', String(spec.cpus)]),
    // signal=off: a ^C typed by a test reaches the guest instead of killing QEMU.
    '-chardev', 'stdio,id=console,signal=off',
    '-serial', 'chardev:console',
    '-kernel', spec.kernel,
    '-append', `${baseAppendFor(spec.arch)} ${spec.append}`.trim(),
  ];
  if (spec.initrd !== undefined) args.push('-initrd', spec.initrd);
  args.push(...rootArgs(spec));
  for (const image of spec.extraDisks) args.push(...diskArgs(image));
  for (const [index, nic] of (spec.nics ?? []).entries()) args.push(...nicArgs(nic, `n${index}`));
  return args;
}

function machineArgs(arch: GuestArch): string[] {
  if (arch === 'aarch64') {
    // The generic virt board (PCI, PL011, device tree) Debian's arm64 kernel has built in. Plain -cpu max also
    // emulates pointer authentication, which makes TCG 3-5x slower; the kernel runs fine without it.
    return ['-M', 'virt', '-cpu', 'max,pauth=off'];
  }
  // A CPU with RDRAND, as KVM guests (-cpu host) have: with qemu64 the kernel's CRNG becomes ready only after
  // about a second of jitter entropy, and any program that asks getrandom(2) for randomness at start (Node's
  // OpenSSL does) waits for it.
  return ['-cpu', 'max'];
}

function rootArgs(spec: QemuSpec): string[] {
  const root = spec.root;
  switch (root.kind) {
    case 'virtiofs':
      if (spec.virtiofsSocket === undefined) throw new Error('a virtiofs root needs the virtiofsd socket');
      // vhost-user needs guest RAM that virtiofsd can map: a shared memfd backend bound to a NUMA node.
      return [
        '-chardev', `socket,id=virtiofs,path=${optionValue(spec.virtiofsSocket)}`,
        '-device', `vhost-user-fs-pci,chardev=virtiofs,tag=${optionValue(spec.tag)}`,
        '-object', `memory-backend-memfd,id=mem,size=${spec.memoryMiB}M,share=on`,
        '-numa', 'node,memdev=mem',
      ];
    case '9p':
      return ['-virtfs', `local,path=${optionValue(root.dir)},mount_tag=${optionValue(spec.tag)},security_model=none`];
    case 'block':
      return diskArgs(root.image);
    case 'none':
      return [];
  }
}

function nicArgs(nic: Nic, id: string): string[] {
  const netdev = nic.network === 'user' ? `user,id=${id}` : `hubport,id=${id},hubid=${id.slice(1)}`;
  return ['-netdev', netdev, '-device', `virtio-net-pci,netdev=${id},mac=${optionValue(nic.mac)}`];
}

function diskArgs(image: string): string[] {
  return ['-drive', `file=${optionValue(image)},if=virtio,format=raw`];
}

// QEMU splits option values at commas; a literal comma is written twice.
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}
