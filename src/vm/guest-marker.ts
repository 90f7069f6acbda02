// The lines the guest's wrapper writes on the serial console for `bootstrap vm`: the command started, its exit
// status, or why it could not run. The serial console is vm's own channel; the command's output never goes there.

/** What a marker line says. */
export type GuestEvent = { kind: 'running' } | { kind: 'exit'; status: number } | { kind: 'error'; message: string };

/** The word every marker line starts with, followed by `: `. */
export const MARKER_WORD = 'bootstrap-vm';

// Whole lines only: PID 1 logs the wrapper's text as it starts it, and that text must never read as a marker.
const running = new RegExp(`^${MARKER_WORD}: running$`);
const exit = new RegExp(`^${MARKER_WORD}: exit status (\\d{1,3})$`);
const error = new RegExp(`^${MARKER_WORD}: error: (.+)$`);

/** The event a console line (without its line end) carries, if it is a marker. */
export function parseGuestEvent(line: string): GuestEvent | undefined {
  if (running.test(line)) return { kind: 'running' };
  const status = exit.exec(line);
  if (status && Number(status[1]) <= 255) return { kind: 'exit', status: Number(status[1]) };
  const failure = error.exec(line);
  if (failure) return { kind: 'error', message: failure[1]! };
  return undefined;
}
