// Which console device can be a controlling terminal.
import { existsSync, readFileSync } from 'node:fs';

/**
 * The terminal behind /dev/console: opening /dev/console never makes it a controlling terminal, so a
 * shell with job control needs the real device (what busybox's cttyhack does). The kernel lists the
 * active consoles in /sys/class/tty/console/active; the last one is where /dev/console writes.
 */
export function realConsole(path: string, readActive: () => string = () => readFileSync('/sys/class/tty/console/active', 'utf8')): string {
  if (path !== '/dev/console') return path;
  try {
    const name = readActive().trim().split(/\s+/).at(-1);
    if (name && existsSync(`/dev/${name}`)) return `/dev/${name}`;
  } catch {
    // No sysfs: fall back to /dev/console, without job control.
  }
  return path;
}
