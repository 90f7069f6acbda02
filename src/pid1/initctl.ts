// /dev/initctl (postSwitch.initctl, lcboot's `initctl: true`): the FIFO on which SysV init takes requests, read on
// PID 1's event loop without ever blocking it. Runlevel 0 powers off and 6 reboots, through the runtime's shutdown.
import { chmodSync, closeSync, constants, lstatSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { net } from '../sys/builtins';
import type { PowerAction } from './shutdown';
import type { Pid1 } from './runtime';
import { parseInitRequests, type InitRequest } from './init-request';

/** Where SysV init tools (telinit, shutdown, libvirt's LXC driver) write their requests. */
export const INITCTL_PATH = '/dev/initctl';

/** What a runlevel asks of PID 1; the others have no meaning without SysV init's inittab. */
const runlevelActions: ReadonlyMap<string, PowerAction> = new Map([
  ['0', 'poweroff'],
  ['6', 'reboot'],
]);

/** A running reader; `close` stops it (the FIFO stays, as sysvinit leaves it). */
export interface Initctl {
  readonly path: string;
  close(): void;
}

/**
 * Makes the FIFO `path` (mode 0600; an existing FIFO is reused) and reads requests from it. Returns undefined, with the
 * reason logged as an error, when it cannot: a missing /dev/initctl must not end PID 1.
 */
export function startInitctl(runtime: Pid1, path: string = INITCTL_PATH): Initctl | undefined {
  const { log } = runtime;
  let fd: number;
  try {
    makeFifo(runtime, path);
    // Read and write: opening does not wait for a writer, and the FIFO never reads as ended when one closes.
    // O_NONBLOCK: libuv polls it; a read never waits, whatever a writer does.
    fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (error) {
    log.error(`initctl: no ${path}: ${(error as Error).message}`);
    return undefined;
  }
  let fifo: Socket;
  try {
    fifo = new (net().Socket)({ fd, readable: true, writable: false });
  } catch (error) {
    closeSync(fd);
    log.error(`initctl: cannot read ${path}: ${(error as Error).message}`);
    return undefined;
  }
  // PID 1's lifetime is the handoff's business, not this reader's.
  fifo.unref();
  fifo.on('data', (chunk: Buffer) => {
    for (const request of parseInitRequests(chunk)) handle(runtime, path, request);
  });
  fifo.on('error', (error) => log.error(`initctl: reading ${path}: ${error.message}; no longer reading it`));
  log.info(`initctl: taking SysV init requests on ${path}`);
  return {
    path,
    close: () => {
      fifo.destroy();
    },
  };
}

function makeFifo(runtime: Pid1, path: string): void {
  let existing;
  try {
    existing = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    runtime.sys.mknod({ path, type: 'fifo', mode: 0o600 });
    return;
  }
  if (!existing.isFIFO()) throw new Error(`${path} exists and is not a FIFO; it is left alone`);
  chmodSync(path, 0o600);
}

function handle(runtime: Pid1, path: string, request: InitRequest): void {
  const { log } = runtime;
  switch (request.kind) {
    case 'malformed':
      log.warn(`initctl: dropped a malformed request on ${path}: ${request.reason}`);
      return;
    case 'command':
      log.warn(`initctl: ${request.name ?? `command ${request.command}`} is not supported; only runlevel requests (0 powers off, 6 reboots) are`);
      return;
    case 'runlevel': {
      const action = runlevelActions.get(request.runlevel);
      if (action === undefined) {
        log.warn(`initctl: runlevel ${request.runlevel} requested: not supported (bootstrap has no runlevels; 0 powers off, 6 reboots)`);
        return;
      }
      log.info(`initctl: runlevel ${request.runlevel} requested on ${path}`);
      void runtime.shutdown({ action, reason: `runlevel ${request.runlevel} requested on ${path}` });
    }
  }
}
