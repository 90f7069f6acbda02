// The bytes of struct loop_config (LOOP_CONFIGURE), written by offset. Every field of the uapi struct
// (include/uapi/linux/loop.h) is a fixed-width __u32/__u64 at its natural alignment, so the layout is the
// same on x86_64 and aarch64 (and every other 64-bit Linux): 304 bytes, with loop_info64 at offset 8.

import { endianness } from 'node:os';

// Flags of loop_info64.lo_flags.
export const LO_FLAGS_READ_ONLY = 1;
export const LO_FLAGS_AUTOCLEAR = 4;
export const LO_FLAGS_PARTSCAN = 8;
export const LO_FLAGS_DIRECT_IO = 16;

/** LO_NAME_SIZE: lo_file_name holds at most 63 bytes and a NUL. */
export const LO_NAME_SIZE = 64;

/** Offsets and size of struct loop_config (and of the loop_info64 inside it), as offsetof() gives them. */
export const loopConfigLayout = {
  size: 304,
  fd: 0,
  blockSize: 4,
  info: 8,
  infoSize: 232,
  /** info.lo_offset: where in the file the device starts. */
  offset: 8 + 24,
  /** info.lo_sizelimit. */
  sizeLimit: 8 + 32,
  flags: 8 + 52,
  fileName: 8 + 56,
  reserved: 8 + 232,
} as const;

/** What LOOP_CONFIGURE is told: the backing file's descriptor, the flags, and the name sysfs shows for it. */
export interface LoopConfig {
  fd: number;
  flags: number;
  /** Shown as lo_file_name by LOOP_GET_STATUS64; cut to 63 bytes (the kernel's sysfs backing_file is the real path). */
  fileName: string;
}

/** struct loop_config for `config`, little- or big-endian as the running machine is (the kernel reads native order). */
export function encodeLoopConfig(config: LoopConfig): Buffer {
  const bytes = Buffer.alloc(loopConfigLayout.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = endianness() === 'LE';
  view.setUint32(loopConfigLayout.fd, config.fd, little);
  view.setUint32(loopConfigLayout.flags, config.flags, little);
  const name = Buffer.from(config.fileName).subarray(0, LO_NAME_SIZE - 1);
  name.copy(bytes, loopConfigLayout.fileName);
  return bytes;
}
