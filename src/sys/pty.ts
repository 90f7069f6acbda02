// Pseudo-terminals: a terminal with no hardware behind it, for consoles of subhosts and for tests of terminal handling.
import { checkReturned, check, libc } from './libc';
import { close, O_CLOEXEC, O_NOCTTY, O_RDWR } from './fd';

/** An open pseudo-terminal: we hold the master; the slave is a path a child can open as its terminal. */
export interface Pty {
  /** Master side, close-on-exec: reading it gives what programs write to the terminal. */
  masterFd: number;
  /** `/dev/pts/N`. */
  slavePath: string;
}

/** Opens a new pseudo-terminal pair; the master never becomes our controlling terminal. */
export function openPty(): Pty {
  const c = libc();
  const masterFd = check(c.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), 'posix_openpt', {});
  try {
    check(c.grantpt(masterFd), 'grantpt', { fd: masterFd });
    check(c.unlockpt(masterFd), 'unlockpt', { fd: masterFd });
    const buffer = Buffer.alloc(128);
    checkReturned(c.ptsname_r(masterFd, buffer, buffer.length), 'ptsname_r', { fd: masterFd });
    const slavePath = buffer.subarray(0, buffer.indexOf(0)).toString();
    return { masterFd, slavePath };
  } catch (error) {
    close(masterFd);
    throw error;
  }
}
