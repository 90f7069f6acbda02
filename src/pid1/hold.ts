// Keeps PID 1 alive while it only waits: Node ends a process as soon as its event loop has nothing left to wait for.

/** The longest delay a Node timer takes; a longer one fires at once (with a TimeoutOverflowWarning). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * A promise that never settles, and a timer that keeps the event loop alive until the runtime's shutdown
 * exits the process. Nothing else is sure to: Node's signal listeners do not hold the loop (their handles
 * are unref'd), the reaper's sweep holds it only while a child of ours runs, and the control socket may
 * have failed to open. Without this, a `none` handoff, or a supervisor whose services were all oneshots
 * that completed, ended with status 0 as soon as nothing ran: a subhost was gone, a machine's kernel panicked.
 */
export function holdUntilShutdown(): Promise<never> {
  setInterval(() => undefined, LONGEST_TIMER_MS);
  return new Promise<never>(() => undefined);
}
