// The host's ifupdown, which overlay-boot calls on a cable's host end ("attracts an ifup $IF attempt"): found where
// Debian installs it, run bounded, its failure reported for a warning rather than thrown.
import { spawnSync } from 'node:child_process';
import { isExecutable } from '../sys/executable';

/** ifup may wait for DHCP; this bounds it. */
export const IFUPDOWN_TIMEOUT_MS = 60_000;

/** Runs `ifup NAME` or `ifdown NAME`: undefined when it succeeded, else why not. */
export type IfUpDown = (name: string) => string | undefined;

/** The path of `program` in the usual sbin directories or PATH, or undefined when the host has none. */
export function findIfupdown(program: 'ifup' | 'ifdown'): string | undefined {
  const directories = ['/usr/sbin', '/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(':').filter((entry) => entry.startsWith('/'))];
  return directories.map((directory) => `${directory}/${program}`).find(isExecutable);
}

/** `program NAME`, bounded by IFUPDOWN_TIMEOUT_MS, its output going where ours goes. */
export function runIfupdown(program: string): IfUpDown {
  return (name) => {
    const result = spawnSync(program, [name], { stdio: ['ignore', 'inherit', 'inherit'], timeout: IFUPDOWN_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (result.error) return (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `${program} ${name} did not end within ${IFUPDOWN_TIMEOUT_MS / 1000} s` : `${program} ${name}: ${result.error.message}`;
    if (result.signal) return `${program} ${name} was killed by ${result.signal}`;
    return result.status === 0 ? undefined : `${program} ${name} exited with status ${result.status}`;
  };
}

/** The host's `ifup` or `ifdown` as a runner, or undefined when the host has none. */
export function hostIfupdown(program: 'ifup' | 'ifdown'): IfUpDown | undefined {
  const path = findIfupdown(program);
  return path === undefined ? undefined : runIfupdown(path);
}
