// A run of the generated config: QEMU boots, the wrapper says `running`, vm's stdin goes to the command's
// terminal, its output comes back on stdout (and stderr), and the marker with its exit status becomes vm's.
import type { Socket } from 'node:net';
import type { Channel } from './channels';
import type { HostTerminal } from './host-terminal';
import { describeExit, type OwnedExit, type ProcessOwner } from './owned-processes';
import { serialLog } from './serial-log';
import { drain, forwardStdin, stopStdin } from './session-io';
import { signalStatus, type StopSignal, type StopSignals } from './stop-signals';
import { VmError } from './vm-error';

/** How long the guest may take to start the command: TCG on a busy machine boots in 10-20 s. */
export const BOOT_TIMEOUT_MS = 180_000;

/** How long QEMU may take to power off once the command's status arrived. */
export const POWEROFF_TIMEOUT_MS = 30_000;

/** vm's status when Ctrl-A x ends it, as for an interrupt. */
export const QUIT_STATUS = 130;

/** The sockets of a command session. */
export interface CommandChannels {
  serial: Channel;
  terminal: Channel;
  stdout?: Channel;
  stderr?: Channel;
}

/** What a session works with. */
export interface SessionContext {
  owner: ProcessOwner;
  qemu: string;
  args: readonly string[];
  terminal: HostTerminal;
  stop: StopSignals;
  /** Copy the serial console (the kernel's and PID 1's messages) to stderr as it arrives. */
  verbose: boolean;
  note: (line: string) => void;
}

type Ending = { kind: 'exited'; exit: OwnedExit } | { kind: 'signal'; signal: StopSignal } | { kind: 'quit' } | { kind: 'bootTimeout' } | { kind: 'poweroffTimeout' };

/** Runs the guest to its end and returns the command's exit status; throws VmError when the guest cannot say it. */
export async function commandSession(context: SessionContext, channels: CommandChannels): Promise<number> {
  const { terminal } = context;
  let status: number | undefined;
  let failure: string | undefined;
  let running = false;
  let terminalSocket: Socket | undefined;
  let settle: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (settle = resolve));
  let poweroffTimer: NodeJS.Timeout | undefined;
  const bootTimer = setTimeout(() => settle({ kind: 'bootTimeout' }), BOOT_TIMEOUT_MS);

  const startCommand = (socket: Socket): void => {
    terminal.enterRaw();
    forwardStdin(socket, { raw: terminal.io.kind === 'terminal', endWithCtrlD: terminal.io.kind === 'pipes', quit: () => settle({ kind: 'quit' }) });
  };
  const log = serialLog((event) => {
    if (event.kind === 'running' && !running) {
      running = true;
      clearTimeout(bootTimer);
      void channels.terminal.connected.then(startCommand);
      return;
    }
    if (event.kind === 'exit') status ??= event.status;
    if (event.kind === 'error') failure ??= event.message;
    clearTimeout(bootTimer);
    poweroffTimer ??= setTimeout(() => settle({ kind: 'poweroffTimeout' }), POWEROFF_TIMEOUT_MS);
  });

  const qemu = context.owner.spawn('QEMU', context.qemu, context.args, ['ignore', 'ignore', 'pipe']);
  void qemu.exited.then((exit) => settle({ kind: 'exited', exit }));
  void context.stop.requested.then((signal) => settle({ kind: 'signal', signal }));
  // ^C at vm (a signal, when vm's stdin is no terminal) is the command's, once it runs: the byte its terminal turns into SIGINT.
  context.stop.interrupt = () => {
    if (!running || terminalSocket === undefined) return false;
    terminalSocket.write('\x03');
    return true;
  };

  let serialConnected = false;
  void channels.serial.connected.then((socket) => {
    serialConnected = true;
    socket.setEncoding('utf8').on('data', (text: string) => {
      log.push(text);
      if (context.verbose) process.stderr.write(text);
    });
  });
  void channels.terminal.connected.then((socket) => {
    terminalSocket = socket;
    // On a terminal all three streams are this one; with pipes only what is written to /dev/tty comes here.
    const output = terminal.io.kind === 'terminal' ? process.stdout : process.stderr;
    socket.on('data', (chunk: Buffer) => output.write(chunk));
  });
  for (const [channel, output] of [[channels.stdout, process.stdout], [channels.stderr, process.stderr]] as const) {
    void channel?.connected.then((socket) => socket.on('data', (chunk: Buffer) => output.write(chunk)));
  }

  const ending = await ended;
  clearTimeout(bootTimer);
  clearTimeout(poweroffTimer);
  context.stop.interrupt = undefined;
  stopStdin();
  terminal.restore();
  const all = [channels.serial, channels.terminal, ...(channels.stdout ? [channels.stdout] : []), ...(channels.stderr ? [channels.stderr] : [])];
  if (ending.kind !== 'exited') await context.owner.stopAll(1000);
  await drain(all);

  switch (ending.kind) {
    case 'signal':
      return signalStatus(ending.signal);
    case 'quit':
      context.note('ended by Ctrl-A x');
      return QUIT_STATUS;
    case 'bootTimeout':
      throw new VmError(`the guest did not start the command within ${BOOT_TIMEOUT_MS / 1000}s; the end of its console:\n${log.tail(20)}`);
    case 'poweroffTimeout':
      context.note(`the guest did not power off within ${POWEROFF_TIMEOUT_MS / 1000}s after the command ended; QEMU was stopped`);
      break;
    case 'exited':
      break;
  }
  if (failure !== undefined) throw new VmError(`the guest could not run the command: ${failure}`);
  if (status !== undefined) return status;
  if (ending.kind === 'exited' && (ending.exit.code !== 0 || !serialConnected)) {
    throw new VmError(`QEMU (${context.qemu}) ended with ${describeExit(ending.exit)}${serialConnected ? '' : ' before the guest started'}${qemuSaid(qemu.stderr())}`);
  }
  throw new VmError(`the guest stopped before it reported the command's exit status; the end of its console:\n${log.tail(20)}`);
}

function qemuSaid(stderr: string): string {
  const text = stderr.trim();
  return text === '' ? '' : `: ${text.split('\n').slice(-5).join(' | ')}`;
}
