// A terminal's output processing (OPOST): off for a terminal that only relays another terminal's output.
import { checkFd } from './check';
import { check, libc } from './libc';

// struct termios of glibc on Linux (x86_64 and aarch64): c_iflag, c_oflag, c_cflag, c_lflag (uint32 each),
// c_line, c_cc[32], c_ispeed, c_ospeed: 60 bytes. <bits/termios-c_oflag.h>: OPOST is 1.
const TERMIOS_SIZE = 60;
const C_OFLAG_OFFSET = 4;
const OPOST = 0o1;
const TCSANOW = 0;

/**
 * Turns the output processing of the terminal on `fd` on or off. Relaying a guest's terminal, whose own line
 * discipline already turned each \n into \r\n, the host's must pass bytes as they are or lines end in \r\r\n
 * (libuv's raw mode keeps ONLCR). Returns whether it was on, to put it back.
 */
export function setOutputProcessing(fd: number, on: boolean): boolean {
  checkFd('setOutputProcessing', 'fd', fd);
  const termios = new Uint8Array(TERMIOS_SIZE);
  check(libc().tcgetattr(fd, termios), 'tcgetattr', { fd });
  const view = new DataView(termios.buffer);
  const flags = view.getUint32(C_OFLAG_OFFSET, true);
  view.setUint32(C_OFLAG_OFFSET, on ? flags | OPOST : flags & ~OPOST, true);
  check(libc().tcsetattr(fd, TCSANOW, termios), 'tcsetattr', { fd, oflag: view.getUint32(C_OFLAG_OFFSET, true) });
  return (flags & OPOST) !== 0;
}
