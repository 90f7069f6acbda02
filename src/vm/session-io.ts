// What both kinds of vm session do with their streams: send vm's stdin to the guest, and wait, bounded, for the
// guest's output to arrive in full once QEMU is gone.
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from './channels';
import { escapeFilter } from './escape-key';

/** How long vm waits for QEMU's sockets to deliver the last output after QEMU exited. */
export const DRAIN_MS = 2000;

const CTRL_D = '\x04';
const NEWLINE = 0x0a;

/**
 * Copies vm's stdin to `socket` from now on. On a terminal (raw) Ctrl-A x calls `quit` instead. When stdin ends
 * and `endWithCtrlD`, the guest's terminal gets ^D (twice after a partial line), which it reads as the end of input.
 */
export function forwardStdin(socket: Socket, options: { raw: boolean; endWithCtrlD: boolean; quit: () => void }): void {
  const filter = options.raw ? escapeFilter() : undefined;
  let last: number | undefined;
  process.stdin.on('data', (chunk: Buffer) => {
    const { forward, quit } = filter ? filter.feed(chunk) : { forward: chunk, quit: false };
    if (forward.length > 0) {
      socket.write(forward);
      last = forward.at(-1);
    }
    if (quit) options.quit();
  });
  process.stdin.once('end', () => {
    if (options.endWithCtrlD) socket.write(last === undefined || last === NEWLINE ? CTRL_D : CTRL_D + CTRL_D);
  });
  // A terminal that hangs up reads as EIO: the SIGHUP that comes with it is what stops vm.
  process.stdin.on('error', () => undefined);
  process.stdin.resume();
}

/** Resolves once every channel closed, or after DRAIN_MS, when the rest are closed by force. */
export async function drain(channels: readonly Channel[]): Promise<void> {
  const timeout = new AbortController();
  await Promise.race([Promise.all(channels.map((channel) => channel.closed)), sleep(DRAIN_MS, undefined, { signal: timeout.signal }).catch(() => undefined)]);
  timeout.abort();
  for (const channel of channels) channel.close();
}

/** Stops reading stdin, so nothing more goes to a guest that is gone. */
export function stopStdin(): void {
  process.stdin.pause();
  process.stdin.removeAllListeners('data');
}
