// `--memory SIZE`: guest RAM as QEMU's -m takes it, in MiB.

/** The least RAM a bootstrap guest boots in: the ~120 MiB image is held twice (archive and unpacked) while the kernel unpacks it. */
export const MIN_MEMORY_MIB = 512;

/** `1G`, `1536M`, `2GiB` or a plain number of MiB; throws a message naming the accepted forms. */
export function parseMemorySize(text: string): number {
  const match = /^(\d+)\s*(m|mi?b|g|gi?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`--memory ${JSON.stringify(text)}: give a size such as 1G, 1536M or 2048 (MiB)`);
  const number = Number(match[1]);
  const mib = match[2]?.toLowerCase().startsWith('g') ? number * 1024 : number;
  if (mib < MIN_MEMORY_MIB) throw new Error(`--memory ${text}: at least ${MIN_MEMORY_MIB}M (the bootstrap image is unpacked in RAM)`);
  return mib;
}
