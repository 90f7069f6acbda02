// The way out of a raw terminal: Ctrl-A then x ends the VM (QEMU's own escape), Ctrl-A twice sends one Ctrl-A.

const CTRL_A = 0x01;
const QUIT = 0x78; // 'x'

/** Filters keyboard input: what to send to the guest, and whether the escape to quit was typed. */
export interface EscapeFilter {
  feed(chunk: Uint8Array): { forward: Buffer; quit: boolean };
}

/** A filter that remembers a Ctrl-A at the end of one chunk for the next. */
export function escapeFilter(): EscapeFilter {
  let pending = false;
  return {
    feed(chunk) {
      const forward: number[] = [];
      for (const byte of chunk) {
        if (pending) {
          pending = false;
          if (byte === QUIT) return { forward: Buffer.from(forward), quit: true };
          // Ctrl-A Ctrl-A is a literal Ctrl-A; Ctrl-A and anything else passes both on.
          forward.push(CTRL_A);
          if (byte !== CTRL_A) forward.push(byte);
          continue;
        }
        if (byte === CTRL_A) pending = true;
        else forward.push(byte);
      }
      return { forward: Buffer.from(forward), quit: false };
    },
  };
}
