// `bootstrap boot`: the PID 1 boot run by hand (in a namespace, a container, or a test) instead of by the kernel.
import { verbSummaries } from '../verb-summaries';
import { boot } from '../../boot/boot';
import { expectPositionals, optionValue, parseArgs } from '../args';
import { exitCode, type Verb } from '../verb';

export const bootVerb: Verb = {
  name: 'boot',
  summary: verbSummaries.boot,
  help: `Usage: bootstrap boot [--config FILE] [--cmdline TEXT]

Runs the boot: automatic mounts, preSwitch, switchRoot, postSwitch and the handoff, exactly as
/init does when the kernel starts it. The kernel starts it without arguments (as PID 1 every
argument is ignored); this verb is for running it by hand, e.g. as PID 1 of a PID and mount
namespace. Outside the machine's own PID 1 it never takes the host's console (it logs to the
standard error it inherited, and a shell gets its standard streams), and the shutdown ends in an
exit instead of reboot(2) (poweroff: status 0; reboot, halt or an aborted boot: status 1).
With \`namespaces\` in the config it creates them with util-linux unshare(1), writes \`idMap\`, and
the boot goes on in a copy of itself inside; it forwards signals to it and exits with its status
(docs/container-entry.md).

Options:
  --config FILE    the config (default: bootstrap.config= from the command line, else
                   /etc/bootstrap/bootstrap.yaml)
  --cmdline TEXT   kernel arguments to use instead of /proc/cmdline (bootstrap.log=, bootstrap.break=)
  -h, --help       show this help

Exit status (not the machine's init): 0 after poweroff, 1 after an aborted boot, 2 usage error;
with \`namespaces\`, the status of the boot inside.
`,
  async run(args, io) {
    const parsed = parseArgs(args, { config: { value: true }, cmdline: { value: true } }, 'boot');
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    expectPositionals(parsed, [], 'boot');
    const configPath = optionValue(parsed, 'config');
    const cmdline = optionValue(parsed, 'cmdline');
    return boot({ ...(configPath ? { configPath } : {}), ...(cmdline !== undefined ? { cmdline } : {}) });
  },
};
