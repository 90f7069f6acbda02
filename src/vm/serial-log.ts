// What vm keeps of the guest's serial console (the kernel's messages and PID 1's log): the marker lines it
// carries, as events, and its last lines for the message when the guest fails.
import { parseGuestEvent, type GuestEvent } from './guest-marker';

/** How much of the console is kept for an error message. */
const KEPT_CHARS = 16 * 1024;

/** A line-splitting reader of the serial console. */
export interface SerialLog {
  /** Feeds a chunk as it arrives. */
  push(chunk: string): void;
  /** The last `lines` lines seen (carriage returns removed). */
  tail(lines: number): string;
}

/** A reader that calls `onEvent` for each marker line. */
export function serialLog(onEvent: (event: GuestEvent) => void): SerialLog {
  let kept = '';
  let partial = '';
  return {
    push(chunk) {
      const text = chunk.replaceAll('\r', '');
      kept = (kept + text).slice(-KEPT_CHARS);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseGuestEvent(line);
        if (event !== undefined) onEvent(event);
      }
    },
    tail(lines) {
      return kept.split('\n').slice(-lines - 1).join('\n').trimEnd();
    },
  };
}
