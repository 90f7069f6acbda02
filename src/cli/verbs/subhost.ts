// `bootstrap subhost start|enter|stop|list|status|import`: overlay-boot's subhosts (overlay-boot, overlay-go,
// overlay-stop) as one verb, with machinectl's ergonomics: one line per subhost in list, status that says what
// runs and what is mounted.
import { existsSync, statSync } from 'node:fs';
import type { Config } from '../../config/generated/config-types';
import { createLogger, type Logger } from '../../log/log';
import { loadSubhostConfig } from '../../subhost/load-subhost-config';
import { enterArgv } from '../../subhost/namespace-command';
import { findTool, startSubhost } from '../../subhost/start';
import { SubhostError } from '../../subhost/subhost-error';
import { stopSubhost } from '../../subhost/stop';
import { readState, conditionOf } from '../../subhost/subhost-state';
import { nameFromFile, resolveSubhost, SUBHOSTS_STATE } from '../../subhost/subhost-spec';
import { formatList, formatStatus, listSubhosts, subhostStatus, withServices } from '../../subhost/subhost-status';
import { realSys } from '../../sys/index';
import { expectPositionals, optionValue, parseArgs, UsageError, type ParsedArgs } from '../args';
import type { CliIo } from '../io';
import { runSubhostImport } from './subhost-import';
import { verbSummaries } from '../verb-summaries';
import { exitCode, type Verb } from '../verb';

const help = `Usage: bootstrap subhost start CONFIG
       bootstrap subhost enter NAME [-- COMMAND [ARGUMENTS...]]
       bootstrap subhost stop NAME|CONFIG
       bootstrap subhost list [--output text|json]
       bootstrap subhost status NAME [--output text|json]
       bootstrap subhost import FILE.conf [--output yaml|json]

A subhost (overlay-boot) is a root overlaid on the host's / (or bound, or as it is), in its own mount,
PID, network, UTS and IPC namespaces, with bootstrap as its PID 1: it reaps, runs postSwitch and the
handoff (supervise its services, exec an init, a shell, or none: just hold the subhost).

  start CONFIG   mount the root at live on the host, start PID 1 in new namespaces, return once it
                 reached its handoff. CONFIG is a YAML config with a subhost section, or an
                 overlay-boot .conf. A subhost whose PID 1 ended (hibernating) resumes on its
                 mounts and network namespace.
  enter NAME     run COMMAND (default a login shell) in all of the subhost's namespaces and its
                 root; not a child of its PID 1 (overlay-go). Exits with COMMAND's status.
  stop NAME      SIGTERM to PID 1 (its orderly shutdown), SIGKILL after subhost.stopTimeout, then
                 unmount everything start mounted and remove the network namespace and state.
  list           one line per subhost: name, state (running, hibernating), PID 1, root, config.
  status NAME    what runs (processes, a supervisor's services) and what is mounted.
  import FILE    print the YAML config an overlay-boot .conf is, commented (see docs/subhost-conf.md).

State lives under ${SUBHOSTS_STATE}/NAME; the network namespace is /run/netns/NAME (ip netns).
The name defaults to the config file's name without its extension (/ex1/ex1.conf → ex1).

Options:
  --output text|json   list and status: the output format (default text)
  -h, --help           show this help

Exit status: 0 ok; 1 refused or failed (the message says why; nothing is left half done);
2 usage or I/O error. enter exits with the command's status.
`;

export const subhostVerb: Verb = {
  name: 'subhost',
  summary: verbSummaries.subhost,
  help,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === undefined || action === '--help' || action === '-h') {
      io.stdout(help);
      return action === undefined ? exitCode.usage : exitCode.ok;
    }
    const log = createLogger({ write: (text) => (io.stderr(text), true) }, 'info');
    try {
      switch (action) {
        case 'start':
          return await start(rest, io, log);
        case 'stop':
          return await stop(rest, io, log);
        case 'enter':
          return enter(rest, io);
        case 'list':
          return list(rest, io);
        case 'status':
          return await status(rest, io);
        case 'import':
          return await runSubhostImport(rest, io);
        default:
          throw new UsageError(`unknown action ${JSON.stringify(action)}; one of start, enter, stop, list, status, import`, 'subhost');
      }
    } catch (error) {
      if (error instanceof SubhostError) {
        io.stderr(`bootstrap subhost ${action}: ${error.message}\n`);
        return exitCode.invalid;
      }
      throw error;
    }
  },
};

function parse(args: readonly string[], action: string, withOutput = false): ParsedArgs & { output: 'text' | 'json' } {
  const parsed = parseArgs(args, withOutput ? { output: { value: true } } : {}, `subhost ${action}`);
  const output = optionValue(parsed, 'output', 'text');
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output takes text or json, not ${JSON.stringify(output)}`, `subhost ${action}`);
  return { ...parsed, output };
}

/** The subhost config at `path` (YAML, or an overlay-boot .conf), or its diagnostics printed and an exit code. */
function readSubhostConfig(path: string, io: CliIo): { config: Config; file: string } | number {
  const result = loadSubhostConfig(path);
  if (!result.ok) {
    io.stderr(result.message);
    return result.ioError ? exitCode.usage : exitCode.invalid;
  }
  for (const warning of result.warnings) io.stderr(`${warning}\n`);
  return { config: result.loaded.config, file: result.loaded.file };
}

async function start(args: readonly string[], io: CliIo, log: Logger): Promise<number> {
  const parsed = parse(args, 'start');
  if (parsed.help) return (io.stdout(help), exitCode.ok);
  const [path] = expectPositionals(parseArgs(args, {}, 'subhost start'), ['CONFIG'], 'subhost start');
  const read = readSubhostConfig(path!, io);
  if (typeof read === 'number') return read;
  const spec = resolveSubhost(read.config, read.file);
  const result = await startSubhost(spec, read.config, { sys: realSys, log });
  io.stdout(`subhost ${spec.name} ${result.resumed ? 'resumed' : 'started'}: PID 1 is host pid ${result.pid1.pid}; enter it with: bootstrap subhost enter ${spec.name}\n`);
  if (result.foreground) {
    // The terminal's Ctrl-C and Ctrl-\ are the shell's; this process only waits for the subhost's PID 1 to end.
    const ignore = (): void => undefined;
    for (const signal of ['SIGINT', 'SIGQUIT'] as const) process.on(signal, ignore);
    await result.foreground;
    for (const signal of ['SIGINT', 'SIGQUIT'] as const) process.off(signal, ignore);
    io.stdout(`the shell of subhost ${spec.name} ended: it hibernates (its mounts and network namespace stay); start resumes it, stop removes it\n`);
  }
  return exitCode.ok;
}

/** NAME, or a config file whose subhost name is meant. */
function nameOf(argument: string, io: CliIo): string | number {
  // A name with state is that subhost, even when a directory of that name is here (its base, often).
  if (!argument.includes('/') && (readState(argument) !== undefined || !isFile(argument))) return argument;
  const read = readSubhostConfig(argument, io);
  if (typeof read === 'number') return read;
  return read.config.subhost?.name ?? nameFromFile(read.file);
}

async function stop(args: readonly string[], io: CliIo, log: Logger): Promise<number> {
  const parsed = parse(args, 'stop');
  if (parsed.help) return (io.stdout(help), exitCode.ok);
  const [argument] = expectPositionals(parseArgs(args, {}, 'subhost stop'), ['NAME'], 'subhost stop');
  const name = nameOf(argument!, io);
  if (typeof name === 'number') return name;
  const result = await stopSubhost(name, { sys: realSys, log });
  const how = result.ended === 'not-running' ? 'it was hibernating' : result.ended === 'terminated' ? 'PID 1 ended after SIGTERM' : 'PID 1 was killed after its stop timeout';
  io.stdout(`subhost ${name} stopped in ${(result.elapsedMs / 1000).toFixed(1)} s (${how}; ${result.undone} changes undone)\n`);
  return exitCode.ok;
}

function enter(args: readonly string[], io: CliIo): number {
  const separator = args.indexOf('--');
  const options = separator < 0 ? args : args.slice(0, separator);
  const parsed = parse(options, 'enter');
  if (parsed.help) return (io.stdout(help), exitCode.ok);
  const [name] = expectPositionals(parseArgs(options, {}, 'subhost enter'), ['NAME'], 'subhost enter');
  const command = separator < 0 ? [] : args.slice(separator + 1);
  const state = readState(name!);
  if (!state) throw new SubhostError(`no subhost ${name!} is running or hibernating`);
  if (conditionOf(state) !== 'running' || !state.pid1) throw new SubhostError(`subhost ${name!} hibernates: its processes are gone; start it again to enter it`);
  const pid = state.pid1.pid;
  const argv = enterArgv(findTool('nsenter'), pid, state.spec.namespaces, command.length > 0 ? command : defaultShell(pid));
  realSys.keepStdioAcrossExec();
  return realSys.execve({ path: argv[0]!, argv, env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: process.env.TERM ?? 'linux', HOME: '/root', SUBHOST: name! } });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// overlay-go's interactive shell: bash when the subhost has it, else sh.
function defaultShell(pid: number): string[] {
  return existsSync(`/proc/${pid}/root/bin/bash`) ? ['/bin/bash', '-l'] : ['/bin/sh', '-l'];
}

function list(args: readonly string[], io: CliIo): number {
  const parsed = parse(args, 'list', true);
  if (parsed.help) return (io.stdout(help), exitCode.ok);
  expectPositionals(parseArgs(args, { output: { value: true } }, 'subhost list'), [], 'subhost list');
  const statuses = listSubhosts();
  io.stdout(parsed.output === 'json' ? `${JSON.stringify(statuses, null, 2)}\n` : formatList(statuses));
  return exitCode.ok;
}

async function status(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(args, 'status', true);
  if (parsed.help) return (io.stdout(help), exitCode.ok);
  const [argument] = expectPositionals(parseArgs(args, { output: { value: true } }, 'subhost status'), ['NAME'], 'subhost status');
  const name = nameOf(argument!, io);
  if (typeof name === 'number') return name;
  const state = readState(name);
  const plain = subhostStatus(name);
  const found = plain && state ? await withServices(plain, state.config.postSwitch.handoff.mode) : plain;
  if (!found) {
    if (parsed.output === 'json') io.stdout(`${JSON.stringify({ name, condition: 'stopped' })}\n`);
    else io.stdout(`${name}: stopped (no state under ${SUBHOSTS_STATE})\n`);
    return exitCode.invalid;
  }
  io.stdout(parsed.output === 'json' ? `${JSON.stringify(found, null, 2)}\n` : formatStatus(found));
  return exitCode.ok;
}
