// The release of an x86 bzImage, from its setup header, so the default modules match the kernel that boots.

// The boot protocol's setup header (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, and at 0x20e the
// offset (minus 0x200) of a NUL-terminated version string such as "6.1.0-57-amd64 (debian-kernel@…) #1 SMP …".
const HEADER_MAGIC_OFFSET = 0x202;
const VERSION_POINTER_OFFSET = 0x20e;

/** How many bytes of the image `kernelRelease` needs at most: the version string sits in the real-mode setup code. */
export const KERNEL_HEAD_BYTES = 64 * 1024;

/** The release (`uname -r`) a bzImage was built as, or undefined for a file that is not one. */
export function kernelRelease(head: Uint8Array): string | undefined {
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (view.length < VERSION_POINTER_OFFSET + 2 || view.toString('latin1', HEADER_MAGIC_OFFSET, HEADER_MAGIC_OFFSET + 4) !== 'HdrS') return undefined;
  const pointer = view.readUInt16LE(VERSION_POINTER_OFFSET);
  if (pointer === 0) return undefined;
  const start = pointer + 0x200;
  const end = view.indexOf(0, start);
  if (start >= view.length || end < 0) return undefined;
  const release = view.toString('latin1', start, end).split(' ')[0];
  return release === undefined || release === '' ? undefined : release;
}
