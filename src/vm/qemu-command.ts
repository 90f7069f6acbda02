// The qemu-system-x86_64 command line of `bootstrap vm` (pure, so it can be read and checked without a guest).
import { PORT_NAMES, ROOT_TAG, type GuestIo } from './guest-config';

/** How the guest's CPU runs: KVM with the host's CPU, or TCG emulating `max` (which has RDRAND, so the guest's CRNG starts at once). */
export type Accel = 'kvm' | 'tcg';

/** The unix sockets vm listens on for QEMU's character devices, and virtiofsd's. */
export interface VmSockets {
  virtiofs: string;
  /** ttyS0: the kernel's console and PID 1's log; with --config, the guest's whole console. */
  serial: string;
  /** hvc0, the command's terminal (generated config only). */
  terminal?: string;
  /** The command's stdout and stderr ports (generated config with GuestIo pipes only). */
  stdout?: string;
  stderr?: string;
}

/** Everything the command line depends on. */
export interface QemuSpec {
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  /** The whole kernel command line. */
  append: string;
  sockets: VmSockets;
  /** Present for the generated config: which ports the command's streams use. */
  io?: GuestIo;
}

/** The kernel arguments vm always passes, before --append: the serial console, and a panic that ends QEMU at once (with -no-reboot). */
export const BASE_APPEND = 'console=ttyS0 panic=-1';

/** The argument vector (without the program name). */
export function qemuArgs(spec: QemuSpec): string[] {
  const args = [
    '-accel', spec.accel,
    '-cpu', spec.accel === 'kvm' ? 'host' : 'max',
    '-smp', String(spec.cpus),
    '-m', `${spec.memoryMiB}M`,
    // No default devices (VGA, NIC, monitor): the guest has what is listed here and nothing else.
    '-nodefaults', '-no-user-config', '-display', 'none',
    // A reboot or a panic (panic=-1) ends QEMU, so a guest never loops.
    '-no-reboot',
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', spec.append,
    '-chardev', `socket,id=serial,path=${optionValue(spec.sockets.serial)}`,
    '-serial', 'chardev:serial',
    // vhost-user needs guest RAM that virtiofsd can map: a shared memfd backend bound to a NUMA node.
    '-chardev', `socket,id=virtiofs,path=${optionValue(spec.sockets.virtiofs)}`,
    '-device', `vhost-user-fs-pci,chardev=virtiofs,tag=${ROOT_TAG}`,
    '-object', `memory-backend-memfd,id=mem,size=${spec.memoryMiB}M,share=on`,
    '-numa', 'node,memdev=mem',
    '-device', 'virtio-rng-pci',
  ];
  if (spec.io !== undefined) args.push(...commandDevices(spec.sockets, spec.io));
  return args;
}

function commandDevices(sockets: VmSockets, io: GuestIo): string[] {
  const terminal = required(sockets.terminal, 'terminal');
  const args = [
    '-device', 'virtio-serial-pci',
    // Port 0 of the device: the guest's hvc0.
    '-chardev', `socket,id=terminal,path=${optionValue(terminal)}`,
    '-device', 'virtconsole,chardev=terminal',
  ];
  if (io.kind === 'pipes') {
    for (const stream of ['stdout', 'stderr'] as const) {
      args.push(
        '-chardev', `socket,id=${stream},path=${optionValue(required(sockets[stream], stream))}`,
        '-device', `virtserialport,chardev=${stream},name=${PORT_NAMES[stream]}`,
      );
    }
  }
  return args;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`qemuArgs: the ${name} socket is missing`);
  return value;
}

// QEMU splits option values at commas; a literal comma is written twice.
function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}
