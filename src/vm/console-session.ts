// A run of the user's own config (--config): the guest's serial console is vm's terminal, as with
// `linuxkit run qemu`. vm's status says how the guest ended: 0 powered off (or rebooted), 1 kernel panic.
import type { Channel } from './channels';
import type { SessionContext } from './command-session';
import { QUIT_STATUS } from './command-session';
import { describeExit, type OwnedExit } from './owned-processes';
import { drain, forwardStdin, stopStdin } from './session-io';
import { signalStatus, type StopSignal } from './stop-signals';
import { VmError } from './vm-error';

/** The console lines by which a guest's kernel says it failed. */
export const PANIC_PATTERN = /Kernel panic|Attempted to kill init/;

/** How many characters of the console are searched for a panic when QEMU has ended. */
const KEPT_CHARS = 64 * 1024;

type Ending = { kind: 'exited'; exit: OwnedExit } | { kind: 'signal'; signal: StopSignal } | { kind: 'quit' };

/** Runs the guest to its end with its console on vm's terminal; returns 0 or 1 (panic); throws VmError when QEMU fails. */
export async function consoleSession(context: SessionContext, serial: Channel): Promise<number> {
  const { terminal } = context;
  let settle: (ending: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (settle = resolve));
  let seen = '';
  let panicked = false;

  const qemu = context.owner.spawn('QEMU', context.qemu, context.args, ['ignore', 'ignore', 'pipe']);
  void qemu.exited.then((exit) => settle({ kind: 'exited', exit }));
  void context.stop.requested.then((signal) => settle({ kind: 'signal', signal }));
  void serial.connected.then((socket) => {
    socket.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      seen = (seen + chunk.toString('latin1')).slice(-KEPT_CHARS);
      panicked ||= PANIC_PATTERN.test(seen);
    });
    terminal.enterRaw();
    forwardStdin(socket, { raw: terminal.io.kind === 'terminal', endWithCtrlD: false, quit: () => settle({ kind: 'quit' }) });
  });

  const ending = await ended;
  stopStdin();
  terminal.restore();
  if (ending.kind !== 'exited') await context.owner.stopAll(1000);
  await drain([serial]);
  if (ending.kind === 'signal') return signalStatus(ending.signal);
  if (ending.kind === 'quit') {
    context.note('ended by Ctrl-A x');
    return QUIT_STATUS;
  }
  if (ending.exit.code !== 0) {
    const said = qemu.stderr().trim();
    throw new VmError(`QEMU ended with ${describeExit(ending.exit)}${said === '' ? '' : `: ${said.split('\n').slice(-5).join(' | ')}`}`);
  }
  if (panicked) {
    context.note('the guest\'s kernel panicked (see its console above)');
    return 1;
  }
  return 0;
}
