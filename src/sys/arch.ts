// Syscall numbers of the calls glibc does not wrap, per CPU architecture (they differ between x86_64 and aarch64,
// except for those added since Linux 5.1, numbered 424 and up alike on both: close_range, open_tree, move_mount, mount_setattr).

/** Numbers of the raw syscalls we make through syscall(2). */
export interface SyscallNumbers {
  pivotRoot: number;
  initModule: number;
  finitModule: number;
  closeRange: number;
  prctl: number;
  rtSigprocmask: number;
  openTree: number;
  moveMount: number;
  mountSetattr: number;
}

const numbers: Record<string, SyscallNumbers> = {
  // arch/x86/entry/syscalls/syscall_64.tbl
  x64: { pivotRoot: 155, initModule: 175, finitModule: 313, closeRange: 436, prctl: 157, rtSigprocmask: 14, openTree: 428, moveMount: 429, mountSetattr: 442 },
  // include/uapi/asm-generic/unistd.h
  arm64: { pivotRoot: 41, initModule: 105, finitModule: 273, closeRange: 436, prctl: 167, rtSigprocmask: 135, openTree: 428, moveMount: 429, mountSetattr: 442 },
};

/** The numbers for the running architecture; other architectures fail loudly rather than call the wrong syscall. */
export function syscallNumbers(arch: string = process.arch): SyscallNumbers {
  const found = numbers[arch];
  if (found === undefined) throw new Error(`sys: no syscall table for architecture ${arch} (supported: x64, arm64)`);
  return found;
}
