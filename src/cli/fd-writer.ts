// Writes a verb's output straight to fd 1 or 2 with write(2), so a one-shot verb never loads Node's stream
// machinery (process.stdout costs a few milliseconds of every start). A descriptor left non-blocking by whoever
// started us answers EAGAIN when its pipe is full: wait and try again, within a bound. A reader that went away
// (EPIPE) ends the output quietly, as it does for cat.
import { writeSync } from 'node:fs';

/** The longest a write waits for a full pipe to drain before the rest of the output is dropped. */
const DRAIN_LIMIT_MS = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** A writer for descriptor `fd` that writes each text whole or, past the bound or after EPIPE, drops it. */
export function fdWriter(fd: number): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (done < bytes.length) {
      try {
        done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && Date.now() < deadline) {
          Atomics.wait(pause, 0, 0, 5);
          continue;
        }
        // EPIPE, EBADF (closed by the caller), or a pipe that never drained: nobody is reading.
        closed = true;
        return;
      }
    }
  };
}
