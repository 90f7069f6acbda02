// The C library functions the kernel boundary calls, declared once and on first use, typed for TypeScript.
import type { LibraryHandle } from 'koffi';
import { koffi } from './koffi';
import { SysError } from './sys-error';

/** Memory handed to C: koffi passes a Buffer or typed array as a pointer to its bytes. */
export type Memory = Uint8Array | Int32Array;

/** Variadic arguments go as (C type, value) pairs, e.g. `'long', 3, 'str', '/x'`. */
export type VarArg = string | number | Memory | null;

/** A C function koffi can also run on a thread of libuv's pool (`async`), which a variadic one cannot. */
export interface ThreadedFunction<A extends unknown[]> {
  (...args: A): number;
  async(...args: [...A, (error: unknown, result: number) => void]): void;
}

/** What a call made on a pool thread returned, with that thread's errno (read when it completed). */
export interface ThreadedResult {
  result: number;
  errno: number;
}

/** The C functions we call, with the JavaScript types koffi converts to and from. */
export interface Libc {
  syscall(number: number, ...typeAndValue: VarArg[]): number;
  mount(source: string | null, target: string, fsType: string | null, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  chroot(path: string): number;
  setsid(): number;
  getsid(pid: number): number;
  sethostname(name: string, length: number): number;
  execve(path: string, argv: (string | null)[], envp: (string | null)[]): number;
  open(path: string, flags: number, ...mode: VarArg[]): number;
  close(fd: number): number;
  dup2(oldFd: number, newFd: number): number;
  pipe2(fds: Int32Array, flags: number): number;
  write(fd: number, bytes: Memory, count: number): number;
  fcntl(fd: number, command: number, ...argument: VarArg[]): number;
  tcgetattr(fd: number, termios: Uint8Array): number;
  tcsetattr(fd: number, when: number, termios: Uint8Array): number;
  ioctl(fd: number, request: number, ...argument: VarArg[]): number;
  mknod(path: string, mode: number, device: bigint): number;
  reboot(command: number): number;
  sync(): void;
  posix_spawn(pid: Int32Array, path: string, fileActions: Memory, attributes: Memory, argv: (string | null)[], envp: (string | null)[]): number;
  posix_spawn_file_actions_init(fileActions: Memory): number;
  posix_spawn_file_actions_destroy(fileActions: Memory): number;
  posix_spawn_file_actions_adddup2(fileActions: Memory, fd: number, newFd: number): number;
  posix_spawn_file_actions_addopen(fileActions: Memory, fd: number, path: string, flags: number, mode: number): number;
  posix_spawn_file_actions_addclosefrom_np(fileActions: Memory, from: number): number;
  posix_spawn_file_actions_addchdir_np(fileActions: Memory, path: string): number;
  posix_spawnattr_init(attributes: Memory): number;
  posix_spawnattr_destroy(attributes: Memory): number;
  posix_spawnattr_setflags(attributes: Memory, flags: number): number;
  posix_spawnattr_setsigmask(attributes: Memory, set: Memory): number;
  posix_spawnattr_setsigdefault(attributes: Memory, set: Memory): number;
  posix_spawnattr_setpgroup(attributes: Memory, pgroup: number): number;
  sigemptyset(set: Memory): number;
  waitpid(pid: number, status: Int32Array, options: number): number;
  posix_openpt(flags: number): number;
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  ptsname_r(fd: number, buffer: Memory, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Memory, length: Int32Array): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Memory, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Memory, length: number): number;
  sendto(fd: number, bytes: Memory, count: number, flags: number, address: Memory, length: number): number;
  /** Writes into `bytes` in place (koffi hands C the typed array's own memory). */
  recv(fd: number, bytes: Memory, count: number, flags: number): number;
  /** `fds` is an array of struct pollfd {int fd; short events; short revents}. */
  poll(fds: Memory, count: number, timeoutMs: number): number;
  setgroups(count: number, groups: Uint32Array): number;
  setgid(gid: number): number;
  setuid(uid: number): number;
  /** Pointers are BigInt addresses; only `fn(arg)` runs in the child, on `stack` (its top: stacks grow down). */
  clone(fn: bigint, stack: bigint, flags: number, arg: null): number;
  dlsym(handle: null, symbol: string): bigint | null;
  /** `address` is page-aligned, a number: user addresses on Linux stay below 2^53. */
  madvise(address: number, length: number, advice: number): number;
  malloc_trim(pad: number): number;
  /** syscall(2) with the fixed arguments of finit_module, callable on a pool thread. */
  syscallFinitModule: ThreadedFunction<[number, number, string, number]>;
  /** syscall(2) with the fixed arguments of init_module, callable on a pool thread. */
  syscallInitModule: ThreadedFunction<[number, Uint8Array, number, string]>;
}

// C prototypes in koffi's syntax; `_Out_` makes koffi copy the pointed-to values back into the typed array.
const prototypes: Record<keyof Libc, string> = {
  syscall: 'long syscall(long number, ...)',
  mount: 'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
  umount2: 'int umount2(const char *target, int flags)',
  chroot: 'int chroot(const char *path)',
  setsid: 'int setsid()',
  getsid: 'int getsid(int pid)',
  sethostname: 'int sethostname(const char *name, size_t length)',
  execve: 'int execve(const char *path, const char **argv, const char **envp)',
  open: 'int open(const char *path, int flags, ...)',
  close: 'int close(int fd)',
  dup2: 'int dup2(int oldfd, int newfd)',
  pipe2: 'int pipe2(_Out_ int *fds, int flags)',
  write: 'long write(int fd, const void *buf, size_t count)',
  fcntl: 'int fcntl(int fd, int cmd, ...)',
  tcgetattr: 'int tcgetattr(int fd, _Out_ uint8_t *termios)',
  tcsetattr: 'int tcsetattr(int fd, int when, const uint8_t *termios)',
  ioctl: 'int ioctl(int fd, unsigned long request, ...)',
  mknod: 'int mknod(const char *path, uint32_t mode, uint64_t dev)',
  reboot: 'int reboot(int cmd)',
  sync: 'void sync()',
  posix_spawn:
    'int posix_spawn(_Out_ int *pid, const char *path, void *file_actions, void *attrp, const char **argv, const char **envp)',
  posix_spawn_file_actions_init: 'int posix_spawn_file_actions_init(void *fa)',
  posix_spawn_file_actions_destroy: 'int posix_spawn_file_actions_destroy(void *fa)',
  posix_spawn_file_actions_adddup2: 'int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)',
  posix_spawn_file_actions_addopen:
    'int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, uint32_t mode)',
  posix_spawn_file_actions_addclosefrom_np: 'int posix_spawn_file_actions_addclosefrom_np(void *fa, int from)',
  posix_spawn_file_actions_addchdir_np: 'int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)',
  posix_spawnattr_init: 'int posix_spawnattr_init(void *attr)',
  posix_spawnattr_destroy: 'int posix_spawnattr_destroy(void *attr)',
  posix_spawnattr_setflags: 'int posix_spawnattr_setflags(void *attr, short flags)',
  posix_spawnattr_setsigmask: 'int posix_spawnattr_setsigmask(void *attr, void *set)',
  posix_spawnattr_setsigdefault: 'int posix_spawnattr_setsigdefault(void *attr, void *set)',
  posix_spawnattr_setpgroup: 'int posix_spawnattr_setpgroup(void *attr, int pgroup)',
  sigemptyset: 'int sigemptyset(void *set)',
  waitpid: 'int waitpid(int pid, _Out_ int *status, int options)',
  posix_openpt: 'int posix_openpt(int flags)',
  grantpt: 'int grantpt(int fd)',
  unlockpt: 'int unlockpt(int fd)',
  ptsname_r: 'int ptsname_r(int fd, _Out_ uint8_t *buf, size_t buflen)',
  getsockopt: 'int getsockopt(int fd, int level, int optname, _Out_ uint8_t *optval, _Inout_ uint32_t *optlen)',
  socket: 'int socket(int domain, int type, int protocol)',
  bind: 'int bind(int fd, const void *addr, uint32_t addrlen)',
  setsockopt: 'int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen)',
  sendto: 'long sendto(int fd, const void *buf, size_t len, int flags, const void *dest_addr, uint32_t addrlen)',
  recv: 'long recv(int fd, void *buf, size_t len, int flags)',
  poll: 'int poll(void *fds, unsigned long nfds, int timeout)',
  setgroups: 'int setgroups(size_t size, const uint32_t *list)',
  setgid: 'int setgid(uint32_t gid)',
  setuid: 'int setuid(uint32_t uid)',
  clone: 'int clone(void *fn, void *stack, int flags, void *arg, ...)',
  dlsym: 'void *dlsym(void *handle, const char *symbol)',
  madvise: 'int madvise(uintptr_t addr, size_t length, int advice)',
  malloc_trim: 'int malloc_trim(size_t pad)',
  // The variadic syscall(2) declared with fixed parameters so koffi offers `async`: glibc's syscall is assembly that
  // moves its integer arguments into the kernel's registers, which a fixed-parameter call on x86_64 and arm64 fills
  // the same way (on x86_64 only %al, the count of vector registers a variadic call sets, differs, and it reads none).
  syscallFinitModule: 'long syscall(long number, int fd, const char *params, int flags)',
  syscallInitModule: 'long syscall(long number, const void *image, unsigned long length, const char *params)',
};

let declared: Libc | undefined;

/** The C library; each function is declared on its first call, so a symbol an old glibc lacks only fails its own users. */
export function libc(): Libc {
  declared ??= declare();
  return declared;
}

function declare(): Libc {
  const library = koffi().load('libc.so.6');
  const functions: Partial<Record<keyof Libc, unknown>> = {};
  for (const name of Object.keys(prototypes) as (keyof Libc)[]) {
    let func: unknown;
    Object.defineProperty(functions, name, { enumerable: true, get: () => (func ??= lookUp(library, name)) });
  }
  return functions as Libc;
}

function lookUp(library: LibraryHandle, name: keyof Libc): unknown {
  try {
    return library.func(prototypes[name]);
  } catch (error) {
    // E.g. posix_spawn_file_actions_addclosefrom_np appeared in glibc 2.34.
    throw new Error(`sys: the C library has no usable ${name} (${(error as Error).message})`, { cause: error });
  }
}

/**
 * Runs `fn` on a thread of libuv's pool, so the event loop goes on (and other such calls run beside it); resolves with
 * its result and the errno it left, which koffi restores only while its completion callback runs. Rejects only when
 * koffi cannot make the call (too many running, an argument it cannot convert).
 */
export function callInThread<A extends unknown[]>(fn: ThreadedFunction<A>, ...args: A): Promise<ThreadedResult> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, result: number) => {
      if (error) reject(error instanceof Error ? error : new Error('koffi could not make the call', { cause: error }));
      else resolve({ result, errno: result === -1 ? lastErrno() : 0 });
    });
  });
}

/** errno of the C call that just returned; read it before anything else can call into C. */
export function lastErrno(): number {
  return koffi().errno();
}

/** Returns `result`, or throws the SysError of a call that reports failure as -1 with errno. */
export function check(result: number, syscall: string, args: Record<string, unknown>): number {
  if (result === -1) throw new SysError({ syscall, errno: lastErrno(), args });
  return result;
}

/** Throws the SysError of a call that returns its error number directly (the posix_spawn family). */
export function checkReturned(result: number, syscall: string, args: Record<string, unknown>): void {
  if (result !== 0) throw new SysError({ syscall, errno: result, args });
}
