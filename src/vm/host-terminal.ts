// vm's own terminal: when its stdin and stdout are both terminals the command gets a terminal of its own in the
// guest, and vm's is put in raw mode, so every key (^C, ^Z, ^D, arrows) travels to the guest as a byte, as
// with `ssh -t`. Otherwise the command's streams are pipes at both ends.
import type { ReadStream } from 'node:tty';
import { setOutputProcessing } from '../sys/terminal';
import type { GuestIo } from './guest-config';

const STDOUT = 1;

/** The terminal side of vm. */
export interface HostTerminal {
  readonly io: GuestIo;
  /** Raw mode on (terminal only). */
  enterRaw(): void;
  /** The mode vm started with (terminal only; Node restores it at exit too). */
  restore(): void;
}

/** What the process has; the environment gives TERM. */
export function hostTerminal(env: NodeJS.ProcessEnv = process.env): HostTerminal {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return { io: { kind: 'pipes' }, enterRaw: () => undefined, restore: () => undefined };
  const stdin = process.stdin as ReadStream;
  let raw = false;
  let opost = true;
  return {
    io: { kind: 'terminal', rows: positive(process.stdout.rows), columns: positive(process.stdout.columns), term: env['TERM'] },
    enterRaw() {
      stdin.setRawMode(true);
      // The guest's terminal already ends lines in \r\n; a second conversion here would make it \r\r\n.
      opost = setOutputProcessing(STDOUT, false);
      raw = true;
    },
    restore() {
      if (!raw) return;
      stdin.setRawMode(false);
      setOutputProcessing(STDOUT, opost);
      raw = false;
    },
  };
}

// A pseudo-terminal nobody sized reports 0 rows and 0 columns: the guest's default is better than that.
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}
