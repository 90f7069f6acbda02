// Power off, restart or halt the machine, and flush file systems before doing so.
import { check, libc } from './libc';

// reboot(2) commands from <linux/reboot.h>.
export const LINUX_REBOOT_CMD_RESTART = 0x01234567;
export const LINUX_REBOOT_CMD_HALT = 0xcdef0123;
export const LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc;
export const LINUX_REBOOT_CMD_CAD_ON = 0x89abcdef;
export const LINUX_REBOOT_CMD_CAD_OFF = 0x00000000;

/** The reboot commands by the names the config uses. */
export const rebootCommands = {
  restart: LINUX_REBOOT_CMD_RESTART,
  halt: LINUX_REBOOT_CMD_HALT,
  poweroff: LINUX_REBOOT_CMD_POWER_OFF,
  ctrlAltDelOn: LINUX_REBOOT_CMD_CAD_ON,
  ctrlAltDelOff: LINUX_REBOOT_CMD_CAD_OFF,
} as const;

/** A reboot command by name. */
export type RebootCommand = keyof typeof rebootCommands;

/**
 * Performs a reboot(2) command; restart/halt/poweroff do not return on success. Call sync() first:
 * the kernel does not flush. Inside a PID namespace the namespace's init is killed instead
 * (SIGINT for poweroff/halt, SIGHUP for restart) and the CAD commands fail with EINVAL.
 */
export function reboot(command: RebootCommand): void {
  const value = rebootCommands[command];
  if (value === undefined) throw new TypeError(`reboot: unknown command ${JSON.stringify(command)} (one of ${Object.keys(rebootCommands).join(', ')})`);
  // The C prototype takes an int; the magic values above 2^31 must arrive with the same bits.
  check(libc().reboot(value | 0), 'reboot', { command, value });
}

/** Flushes every file system's dirty data to its device. */
export function sync(): void {
  libc().sync();
}
