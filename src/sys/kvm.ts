// /dev/kvm: whether this process can open it and what KVM API version the kernel speaks.
import { checkPath } from './check';
import { close, O_CLOEXEC, O_RDWR, open } from './fd';
import { check, libc } from './libc';

// _IO(KVMIO, 0x00) of <linux/kvm.h>: no argument, so the same number on every architecture.
const KVM_GET_API_VERSION = 0xae00;

/** The only API version the kernel has offered since Linux 2.6.22; anything else is a kernel QEMU cannot use. */
export const KVM_API_VERSION = 12;

/** Opens `device` read-write (as QEMU does) and returns KVM_GET_API_VERSION; throws SysError when it cannot. */
export function kvmApiVersion(device = '/dev/kvm'): number {
  checkPath('kvmApiVersion', 'device', device);
  const fd = open({ path: device, flags: O_RDWR | O_CLOEXEC });
  try {
    return check(libc().ioctl(fd, KVM_GET_API_VERSION, 'int', 0), 'ioctl', { fd, path: device, request: 'KVM_GET_API_VERSION' });
  } finally {
    close(fd);
  }
}
