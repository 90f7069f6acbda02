// `bootstrap ctl`: asks a running supervisor for its status, starts and stops services, shows logs, powers off.
import { verbSummaries } from '../verb-summaries';
import { optionValue, parseArgs, UsageError, type ParsedArgs } from '../args';
import type { CliIo } from '../io';
import { exitCode, type Verb } from '../verb';
import { ControlConnectionError, ControlTimeoutError, ControlUnreachableError, followLogs, sendRequest } from '../../ctl/client';
import { formatStatusTable } from '../../ctl/format-status';
import { controlOps, DEFAULT_CONTROL_SOCKET, DEFAULT_LOG_LINES, isControlOp, MAX_LOG_LINES, type ControlOp, type ControlRequest } from '../../ctl/protocol';
import { closest } from '../../config/suggest';
import { formatDuration, parseDuration } from '../../config/duration';

const options = {
  socket: { value: true },
  output: { value: true, choices: ['text', 'json'] },
  lines: { value: true },
  follow: {},
  timeout: { value: true },
} as const;

// How long to wait for an answer: most are immediate; stop and restart wait for the service to end
// (its stopTimeout, 10s by default, then SIGKILL), so they get longer before the client gives up.
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 120_000;

type OptionName = keyof typeof options;

// Which options each command takes (besides --socket and --help), and its help.
const commands: Record<ControlOp, { options: readonly OptionName[]; usage: string; summary: string; help: string }> = {
  status: {
    options: ['output'],
    usage: 'status [--output text|json]',
    summary: "every service's state, pid, starts, restarts and last exit",
    help: `Every service: its state, pid, how often it started and restarted, how it last exited,
how long it has been in its state, and what it still waits for. The main service is marked *.

Options:
  --output text|json   text (default): a table (NAME STATE PID STARTS RESTARTS LAST-EXIT SINCE WAITING-FOR)
                       json: {"services": [{name, type, main, state, pid, starts, restarts,
                              lastExit: {code, signal, status, at} | null, since, waitingFor}]}
                       (times in ms since the epoch; status is 128+signal when a signal killed it)`,
  },
  start: { options: [], usage: 'start NAME', summary: 'start a stopped, failed or completed service', help: 'Starts a stopped, failed or completed service (its dependencies are not checked again).' },
  stop: { options: [], usage: 'stop NAME', summary: 'stop a service; it stays stopped', help: 'Stops a service with its stopSignal, then SIGKILL after its stopTimeout. It stays stopped:\nits restart policy does not bring it back. Returns once it has exited.' },
  restart: { options: [], usage: 'restart NAME', summary: 'stop a service, then start it', help: 'Stops a service as `stop` does, then starts it again.' },
  logs: {
    options: ['lines', 'follow'],
    usage: 'logs NAME [--lines N] [--follow]',
    summary: "a service's last output lines; --follow prints new ones",
    help: `Prints the last lines the service wrote (stdout and stderr), oldest first.

Options:
  --lines N   how many lines (default ${DEFAULT_LOG_LINES}, at most ${MAX_LOG_LINES})
  --follow    keep printing new lines as they come, until interrupted (Ctrl-C)`,
  },
  poweroff: { options: [], usage: 'poweroff', summary: 'stop every service in order, then power off', help: 'Stops every service in reverse dependency order, then powers the machine off\n(in a PID namespace: exits with the main service\'s status).' },
  reboot: { options: [], usage: 'reboot', summary: 'stop every service in order, then reboot', help: 'Stops every service in reverse dependency order, then reboots the machine\n(in a PID namespace: exits with the main service\'s status).' },
};

const width = Math.max(...controlOps.map((op) => commands[op].usage.length));

const footer = `Exit status: 0 ok, 1 the supervisor refused the request (unknown service…),
2 usage error, or the supervisor cannot be reached or did not answer in time.
`;

export const ctlVerb: Verb = {
  name: 'ctl',
  summary: verbSummaries.ctl,
  help: `Usage: bootstrap ctl [--socket PATH] COMMAND [ARGUMENTS]

Talks to a running supervisor (handoff mode supervise, or bootstrap supervise) over its
control socket. Only root may use it.

Commands:
${controlOps.map((op) => `  ${commands[op].usage.padEnd(width)}  ${commands[op].summary}`).join('\n')}

Options:
  --socket PATH        the control socket (default ${DEFAULT_CONTROL_SOCKET})
  --timeout DURATION   how long to wait for the answer (default ${formatDuration(DEFAULT_TIMEOUT_MS)}; ${formatDuration(DEFAULT_STOP_TIMEOUT_MS)} for stop
                       and restart, which wait for the service to end; a follow waits this long
                       for its first lines only), e.g. 500ms, 30s, 5m
  -h, --help           show this help; 'bootstrap ctl COMMAND --help' shows a command's

${footer}`,
  async run(args, io) {
    const parsed = parseArgs(args, options, 'ctl');
    const [command, ...rest] = parsed.positionals;
    if (command === undefined) {
      if (parsed.help) {
        io.stdout(this.help);
        return exitCode.ok;
      }
      throw new UsageError(`missing COMMAND, one of ${controlOps.join(', ')}`, 'ctl');
    }
    if (!isControlOp(command)) {
      const guess = closest(command, controlOps);
      throw new UsageError(`unknown command ${JSON.stringify(command)}${guess ? `; did you mean ${guess}?` : ''}`, 'ctl');
    }
    const verb = `ctl ${command}`;
    if (parsed.help) {
      io.stdout(commandHelp(command));
      return exitCode.ok;
    }
    for (const name of parsed.options.keys()) {
      if (name !== 'socket' && name !== 'timeout' && !(commands[command].options as readonly string[]).includes(name)) {
        throw new UsageError(`--${name} is not an option of ${command}`, verb);
      }
    }
    const request = buildRequest(command, rest, parsed, verb);
    const client = { path: optionValue(parsed, 'socket', DEFAULT_CONTROL_SOCKET), timeoutMs: timeout(optionValue(parsed, 'timeout'), command) };
    return request.op === 'logs' && request.follow ? follow(request.name, request.lines, client, io) : ask(request, client, optionValue(parsed, 'output', 'text') === 'json', io);
  },
};

function commandHelp(command: ControlOp): string {
  return `Usage: bootstrap ctl [--socket PATH] ${commands[command].usage}

${commands[command].help}

${footer}`;
}

function buildRequest(command: ControlOp, rest: readonly string[], parsed: ParsedArgs, verb: string): ControlRequest {
  const takesName = command === 'start' || command === 'stop' || command === 'restart' || command === 'logs';
  const expected = takesName ? 1 : 0;
  if (rest.length < expected) throw new UsageError('missing NAME, the service', verb);
  if (rest.length > expected) throw new UsageError(`unexpected argument ${JSON.stringify(rest[expected])}`, verb);
  const name = rest[0] ?? '';
  switch (command) {
    case 'status':
    case 'poweroff':
    case 'reboot':
      return { op: command };
    case 'start':
    case 'stop':
    case 'restart':
      return { op: command, name };
    case 'logs':
      return { op: command, name, lines: lineCount(optionValue(parsed, 'lines'), verb), follow: parsed.options.has('follow') };
  }
}

function timeout(text: string | undefined, command: ControlOp): number {
  if (text === undefined) return command === 'stop' || command === 'restart' ? DEFAULT_STOP_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
  let ms = 0;
  try {
    ms = parseDuration(text);
  } catch {
    // Reported below, with the fix.
  }
  if (ms <= 0) throw new UsageError(`--timeout must be a duration such as 500ms, 10s or 2m, not ${JSON.stringify(text)}`, 'ctl');
  return ms;
}

function lineCount(text: string | undefined, verb: string): number {
  if (text === undefined) return DEFAULT_LOG_LINES;
  const count = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(count <= MAX_LOG_LINES)) throw new UsageError(`--lines must be a whole number from 0 to ${MAX_LOG_LINES}, not ${JSON.stringify(text)}`, verb);
  return count;
}

/** Where and how long the client talks to the supervisor. */
interface Client {
  path: string;
  timeoutMs: number;
}

async function ask(request: ControlRequest, client: Client, json: boolean, io: CliIo): Promise<number> {
  try {
    const answer = await sendRequest(request, client);
    if (!answer.ok) return refused(answer.error, io);
    if (request.op === 'status') {
      const services = answer.services ?? [];
      io.stdout(json ? `${JSON.stringify({ services }, null, 2)}\n` : formatStatusTable(services, Date.now()));
    } else if (request.op === 'logs') {
      for (const line of answer.lines ?? []) io.stdout(`${line}\n`);
    }
    return exitCode.ok;
  } catch (error) {
    return unreachable(error, io);
  }
}

async function follow(name: string, lines: number, client: Client, io: CliIo): Promise<number> {
  try {
    const answer = await followLogs(name, lines, (line) => io.stdout(`${line}\n`), client);
    return answer.ok ? exitCode.ok : refused(answer.error, io);
  } catch (error) {
    return unreachable(error, io);
  }
}

function refused(error: string, io: CliIo): number {
  io.stderr(`bootstrap ctl: ${error}\n`);
  return exitCode.invalid;
}

function unreachable(error: unknown, io: CliIo): number {
  if (error instanceof ControlTimeoutError) {
    io.stderr(`bootstrap ctl: ${error.message} (--timeout)\n`);
    return exitCode.usage;
  }
  if (!(error instanceof ControlUnreachableError || error instanceof ControlConnectionError)) throw error;
  io.stderr(`bootstrap ctl: ${error.message}\n`);
  return exitCode.usage;
}
