// The supervisor's public model: service states, their status as `bootstrap ctl status` reports it, and the
// operations the control socket calls. The implementation lives beside this file.

/** Where a service is in its life. */
export type ServiceState =
  /** Not started: waiting for its dependencies' conditions. */
  | 'waiting'
  /** Spawned; a readiness probe has not passed yet (longrun) or it is running (oneshot). */
  | 'running'
  /** Its readiness probe passed (or it has none and was spawned). */
  | 'ready'
  /** Between a crash and its next start. */
  | 'backoff'
  /** Asked to stop: stopSignal sent, SIGKILL after stopTimeout. */
  | 'stopping'
  /** Ended and not restarted (restart policy, or stopped by request). */
  | 'stopped'
  /** A oneshot that exited with status 0. */
  | 'completed'
  /** Gave up: start limit reached, or a oneshot failed without restart. onFailed has run. */
  | 'failed';

/** How a process ended: `status` is its exit code, or 128+signal when a signal killed it (as shells report). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  status: number;
  /** Milliseconds since the epoch. */
  at: number;
}

/** One service as `ctl status --output json` prints it. */
export interface ServiceStatus {
  name: string;
  type: 'longrun' | 'oneshot';
  main: boolean;
  state: ServiceState;
  pid: number | null;
  /** Times it was started, counting starts whose spawn failed (as the start limit does). */
  starts: number;
  /** Spawns after the first. */
  restarts: number;
  lastExit: ExitInfo | null;
  /** When the current state began, ms since the epoch. */
  since: number;
  /** The condition it still waits for, in words (`db to be ready`), while waiting. */
  waitingFor: string | null;
}

/** What the control socket can ask of a running supervisor. */
export interface SupervisorControl {
  status(): ServiceStatus[];
  /** Starts a stopped, failed or completed service (its dependencies are not re-checked). */
  startService(name: string): void;
  /** Stops a service with its stopSignal and stopTimeout; it stays stopped (no restart). */
  stopService(name: string): Promise<void>;
  restartService(name: string): Promise<void>;
  /** The last lines the service wrote (stdout and stderr), oldest first. */
  logs(name: string, lines: number): string[];
  /** Calls `listener` with each new line until the returned function is called. */
  followLogs(name: string, listener: (line: string) => void): () => void;
  /** Orderly shutdown of everything, then the power action (or exit, in a namespace). */
  powerOff(action: 'poweroff' | 'reboot'): void;
}

/** A name that is not a service: the control socket answers with this message. */
export class UnknownServiceError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`no service named ${JSON.stringify(name)}; services: ${known.join(', ')}`);
    this.name = 'UnknownServiceError';
  }
}
