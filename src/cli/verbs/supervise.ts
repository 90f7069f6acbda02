// `bootstrap supervise --config FILE`: the supervisor alone, as PID 1 of a container or under another init.
import { resolve } from 'node:path';
import { verbSummaries } from '../verb-summaries';
import type { LogLevel } from '../../config/generated/config-types';
import { INITCTL_PATH } from '../../pid1/initctl';
import { supervise } from '../../pid1/supervise';
import { detectRole } from '../../pid1/role';
import { startPid1 } from '../../pid1/runtime';
import { realSys } from '../../sys/index';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import { readConfig } from '../read-config';
import { diagnosticsText } from '../../config/format-diagnostics';
import { exitCode, type Verb } from '../verb';

export const superviseVerb: Verb = {
  name: 'supervise',
  summary: verbSummaries.supervise,
  help: `Usage: bootstrap supervise --config FILE [--socket PATH]

Runs only postSwitch.handoff (mode: supervise) of the config, with postSwitch.environment and
postSwitch.initctl (/dev/initctl, on which runlevel 0 or 6 ends it through its shutdown): the
services in dependency order, restarts with backoff, probes, log routing, the control socket for
'bootstrap ctl', and an orderly shutdown. A config without switchRoot is fine for it.

As PID 1 of a PID namespace (a container, 'unshare --pid --fork'), it reaps every orphan and, when
the main service ends or TERM/INT/PWR/QUIT arrives, stops the services in reverse dependency order,
ends whatever is left (SIGTERM, shutdownTimeout, SIGKILL) and exits with the main service's status
(128+signal when it was killed). Every signal it handles is forwarded to each service's process
group first. Under another init it makes itself the subreaper of its services' orphans.

Options:
  --config FILE    the config
  --socket PATH    the control socket (default /run/bootstrap/control.sock)
  -h, --help       show this help

Exit status: the main service's status (0 without one) after a shutdown; 1 for an invalid config,
2 usage or I/O error.
`,
  async run(args, io) {
    const parsed = parseArgs(args, { config: { value: true }, socket: { value: true } }, 'supervise');
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    expectPositionals(parsed, [], 'supervise');
    const configPath = optionValue(parsed, 'config');
    if (!configPath) throw new UsageError('--config FILE is required', 'supervise');
    const { result, ioError } = readConfig(configPath, io);
    if (!result.config) {
      io.stderr(diagnosticsText(configPath, result.valid, result.diagnostics, result.omitted));
      return ioError ? exitCode.usage : exitCode.invalid;
    }
    const config = result.config;
    if (config.postSwitch.handoff.mode !== 'supervise') {
      io.stderr(`bootstrap supervise: ${configPath}: postSwitch.handoff.mode is ${config.postSwitch.handoff.mode}; supervise needs mode: supervise\n`);
      return exitCode.invalid;
    }
    // Relative to where the user ran the command, not to / where the supervisor then lives.
    const socketPath = optionValue(parsed, 'socket');
    const socket = socketPath === undefined ? undefined : resolve(socketPath);
    const runtime = startPid1({ sys: realSys, role: detectRole(), level: config.logLevel as LogLevel });
    const ignored = (['preSwitch', 'switchRoot'] as const).filter((key) => config[key] !== undefined);
    if (ignored.length > 0) runtime.log.warn(`supervise runs only postSwitch.handoff; ignoring ${ignored.join(' and ')}`);
    // A supervisor keeps no directory busy (and PID 1's cwd is / as tini's is).
    process.chdir('/');
    for (const [key, value] of Object.entries(config.postSwitch.environment ?? {})) runtime.env[key] = String(value);
    return supervise(runtime, { config, consoleSink: runtime.openOutput(), ...(socket ? { socketPath: socket } : {}), ...(config.postSwitch.initctl ? { initctlPath: INITCTL_PATH } : {}) });
  },
};
