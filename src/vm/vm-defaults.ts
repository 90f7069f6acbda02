// vm's defaults for the guest's size, and the check of --cpus.

/** Guest RAM when --memory is not given: room for the unpacked image, Node and the command. */
export const DEFAULT_MEMORY = '1G';

/** One virtual CPU unless asked, as the test bed's guests have; --cpus gives a command that needs more. */
export const DEFAULT_CPUS = 1;

/** The most --cpus takes. */
export const MAX_CPUS = 64;

/** `--cpus N`: an integer from 1 to MAX_CPUS. */
export function parseCpus(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_CPUS) throw new Error(`--cpus ${JSON.stringify(text)}: give a whole number from 1 to ${MAX_CPUS}`);
  return Number(text);
}
