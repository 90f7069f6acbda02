// Waits, within a mount's timeout, for an NFS server's ports to take a TCP connection: mount(2) of NFS blocks in the
// kernel while it retries an absent server, so PID 1 asks first, from its event loop, with a deadline.
import { constants } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { MountWait } from '../plan/step';
import type { Sys } from '../sys/index';
import { SysError } from '../sys/index';
import { errnoNumber } from '../sys/sys-error';
import { nowMs } from '../clock';

/** The wait of an NFS mount. */
export type ServerWait = Extract<MountWait, { kind: 'server' }>;

// One attempt never takes longer than this, so a silent server (packets dropped) is asked again.
const ATTEMPT_MS = 2000;
// Between refused attempts: a server that is starting answers soon, and refusals are cheap.
const RETRY_MS = 250;

/** Resolves once every port of `wait` took a connection; throws a SysError (connect, the last errno) at the deadline. */
export async function waitForServer(wait: ServerWait, sys: Pick<Sys, 'tryTcpConnect'>, now: () => number = nowMs): Promise<{ attempts: number }> {
  const deadline = now() + wait.timeoutMs;
  let attempts = 0;
  for (const port of wait.ports) {
    let lastCode: string | undefined;
    for (;;) {
      attempts += 1;
      const timeoutMs = Math.max(1, Math.min(ATTEMPT_MS, deadline - now()));
      const attempt = await sys.tryTcpConnect({ address: wait.server, port, timeoutMs });
      if (attempt.connected) break;
      // A last attempt the deadline cut short says nothing about the server: the one before it does (ECONNREFUSED…).
      if (!(attempt.code === 'ETIMEDOUT' && timeoutMs < ATTEMPT_MS && lastCode !== undefined)) lastCode = attempt.code;
      if (now() >= deadline) {
        throw new SysError({
          syscall: 'connect',
          errno: errnoOf(lastCode),
          args: { address: wait.server, port },
          hint: `NFS server ${wait.server} (export ${wait.export}) did not take a TCP connection on port ${port} within ${wait.timeoutMs}ms (timeout), ${attempts} tries: is the server running and reachable, and the network up?`,
        });
      }
      await delay(Math.max(0, Math.min(RETRY_MS, deadline - now())));
    }
  }
  return { attempts };
}

function errnoOf(code: string): number {
  return errnoNumber(code) ?? constants.errno.ETIMEDOUT;
}
