// The two pipes between the process that creates namespaces and the program it runs in them:
//   fd 3 (STARTED_FD) the program writes one byte as soon as it runs, i.e. once unshare(2) is done;
//   fd 4 (RELEASE_FD) the parent writes one byte once the id maps are written; end of file means it gave up.
// Every wait on either side is bounded.
import { closeSync, fstatSync, writeSync } from 'node:fs';
import { net } from '../sys/builtins';
import { viaNode } from '../sys/node-error';

/** The descriptor the program announces itself on (the write end of the parent's "started" pipe). */
export const STARTED_FD = 3;
/** The descriptor the program waits on (the read end of the parent's "release" pipe). */
export const RELEASE_FD = 4;

/** How long either side waits for the other: a Node start took 1.3–1.5 s under QEMU's TCG, so 20 times that. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;

/** How a wait for one byte ended. */
export type ByteWait = 'byte' | 'end-of-file' | 'timeout';

/**
 * Waits up to `timeoutMs` for one byte on a pipe's read end without blocking the event loop (signals, the
 * reaper and timers keep running), then closes the descriptor. `stop` ends the wait early as 'end-of-file'
 * (the child that would write has exited).
 */
export function readOneByte(fd: number, timeoutMs: number, stop?: Promise<unknown>): Promise<ByteWait> {
  const socket = new (net().Socket)({ fd, readable: true, writable: false });
  return new Promise<ByteWait>((resolve) => {
    let done = false;
    const finish = (result: ByteWait): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.once('data', () => finish('byte'));
    socket.once('end', () => finish('end-of-file'));
    socket.once('error', () => finish('end-of-file'));
    void stop?.then(() => finish('end-of-file'));
  });
}

/** Whether `fd` is a pipe: the program was started by spawnInNamespaces, not by hand. */
export function isHandshakePipe(fd: number): boolean {
  try {
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}

/** The program's side, first thing: tell the parent we run in the new namespaces. Throws when not started through the handshake. */
export function announceStarted(): void {
  if (!isHandshakePipe(STARTED_FD) || !isHandshakePipe(RELEASE_FD)) {
    throw new Error(`namespaces: descriptors ${STARTED_FD} and ${RELEASE_FD} are not the handshake pipes; this program is started by spawnInNamespaces (bootstrap boot with \`namespaces\`), not by hand`);
  }
  viaNode('write', { fd: STARTED_FD, pipe: 'started' }, () => writeSync(STARTED_FD, 's'));
  viaNode('close', { fd: STARTED_FD }, () => closeSync(STARTED_FD));
}

/** The program's side: waits until the parent wrote the id maps. Throws, saying why, when it did not. */
export async function awaitRelease(timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<void> {
  const result = await readOneByte(RELEASE_FD, timeoutMs);
  if (result === 'byte') return;
  throw new Error(
    result === 'timeout'
      ? `namespaces: the parent did not finish setting up the namespaces (id maps) within ${timeoutMs}ms`
      : 'namespaces: the parent closed the handshake pipe without releasing us (it failed to write the id maps, or ended; its log says why)',
  );
}
