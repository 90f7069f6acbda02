// The bootstrap config `bootstrap vm` boots when it is given no --config: a virtiofs root (overlaid unless --rw),
// and a shell handoff on the virtio console hvc0 running a small wrapper around the command, which writes the
// command's exit status on the serial console (guest-marker.ts) before PID 1 powers the machine off.
import { stringify } from 'yaml';
import { MARKER_WORD } from './guest-marker';

/** The virtio-serial port names the guest looks for in /sys/class/virtio-ports/*\/name. */
export const PORT_NAMES = { stdout: 'bootstrap.stdout', stderr: 'bootstrap.stderr' } as const;

/** The mount tag of the shared root. */
export const ROOT_TAG = 'rootfs';

/** The serial port vm reads: the kernel's console, PID 1's log and the wrapper's marker lines. */
export const SERIAL_DEVICE = 'ttyS0';

/** The terminal the command runs on: port 0 of the virtio-serial device, a virtconsole. */
export const TERMINAL_DEVICE = 'hvc0';

/** How the command's standard streams reach the host. */
export type GuestIo =
  /** All three on hvc0, a terminal like the host's (vm's stdin and stdout are terminals): echo, line editing, ^C. */
  | { kind: 'terminal'; rows: number | undefined; columns: number | undefined; term: string | undefined }
  /** stdin on hvc0 without echo (^C and ^D still work), stdout and stderr on virtio-serial ports of their own. */
  | { kind: 'pipes' };

/** What the generated config runs. */
export interface GuestSpec {
  /** The command and its arguments; non-empty. */
  command: readonly string[];
  rw: boolean;
  io: GuestIo;
  /** The directory to start in (the host's working directory when the root is the host's /); / when absent or missing. */
  cwd: string | undefined;
}

/** The modules the generated config loads from the initramfs (dependencies come from modules.dep). */
export function guestModules(rw: boolean): string[] {
  return ['virtio_pci', 'virtiofs', 'virtio_console', 'virtio_rng', ...(rw ? [] : ['overlay'])];
}

/** The modules packed for the generated config: those of both kinds of run, so --rw and the overlay share one cached image. */
export const GUEST_PACKED_MODULES: readonly string[] = guestModules(false);

/** A word for sh: single-quoted, with each ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** How long the wrapper waits for the stdout and stderr ports, in tenths of a second. */
const PORT_WAIT_TENTHS = 100;

/** The wrapper, run as `sh -c WRAPPER bootstrap-vm COMMAND...`: the command is "$@", never re-parsed. */
export function wrapperScript(spec: Pick<GuestSpec, 'io' | 'cwd'>): string {
  const lines = [
    `# bootstrap vm: run the command on this terminal, then say its exit status on /dev/${SERIAL_DEVICE}.`,
    // printf builds the marker, so this text (which PID 1 logs when it starts the wrapper) never holds one.
    `say() { printf '%s: %s\\n' ${MARKER_WORD} "$*" >/dev/${SERIAL_DEVICE}; }`,
    // ^C reaches the command (same process group) while the wrapper lives on to report the status.
    'trap : INT QUIT',
  ];
  // One stty (a fork and exec cost under emulation): no suspend character, since without job control here a
  // stopped command would stop the machine for good; the host's window size; no echo of input meant for pipes.
  const size = spec.io.kind === 'terminal' && spec.io.rows !== undefined && spec.io.columns !== undefined ? ` rows ${spec.io.rows} cols ${spec.io.columns}` : '';
  lines.push(`stty susp undef${size}${spec.io.kind === 'pipes' ? ' -echo' : ''} 2>/dev/null`);
  if (spec.io.kind === 'pipes') {
    lines.push(
      'port() {',
      '  for p in /sys/class/virtio-ports/*; do',
      '    name=',
      // Redirections apply left to right: stderr goes first, or a port without a name file (the console's) says so.
      '    read -r name 2>/dev/null <"$p/name"',
      '    [ "$name" = "$1" ] && [ -c "/dev/${p##*/}" ] && { echo "/dev/${p##*/}"; return 0; }',
      '  done',
      '  return 1',
      '}',
      'tries=0',
      `until out=$(port ${PORT_NAMES.stdout}) && err=$(port ${PORT_NAMES.stderr}); do`,
      `  [ "$tries" -ge ${PORT_WAIT_TENTHS} ] && { say "error: the virtio-serial ports ${PORT_NAMES.stdout} and ${PORT_NAMES.stderr} did not appear within ${PORT_WAIT_TENTHS / 10}s"; exit 125; }`,
      '  tries=$((tries + 1))',
      '  sleep 0.1',
      'done',
    );
  }
  if (spec.cwd !== undefined) lines.push(`cd ${shellQuote(spec.cwd)} 2>/dev/null || cd /`);
  lines.push('say running', spec.io.kind === 'terminal' ? '"$@"' : '"$@" >"$out" 2>"$err"', 'say "exit status $?"');
  return `${lines.join('\n')}\n`;
}

/** The config text (YAML) for `spec`. */
export function guestConfig(spec: GuestSpec): string {
  if (spec.command.length === 0) throw new Error('guestConfig: the command is empty');
  const config = {
    console: SERIAL_DEVICE,
    logLevel: 'info',
    emergency: { action: 'poweroff' },
    preSwitch: { modules: { names: guestModules(spec.rw) } },
    switchRoot: { rootFileSystem: { type: 'virtiofs', tag: ROOT_TAG, overlay: !spec.rw } },
    postSwitch: {
      ...(spec.io.kind === 'terminal' && spec.io.term !== undefined ? { environment: { TERM: spec.io.term } } : {}),
      handoff: {
        mode: 'shell',
        terminal: TERMINAL_DEVICE,
        program: '/bin/sh',
        arguments: ['-c', wrapperScript(spec), MARKER_WORD, ...spec.command],
        onExit: 'poweroff',
      },
    },
  };
  return `# Generated by bootstrap vm for one run (docs/vm.md).\n${stringify(config, { lineWidth: 0 })}`;
}
