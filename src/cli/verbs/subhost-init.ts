// `bootstrap __subhost-init NAME [--ready-fd FD]`: internal; the PID 1 `subhost start` runs in the new namespaces.
import { subhostInit } from '../../subhost/subhost-init';
import { SUBHOST_INIT } from '../../subhost/start';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import type { Verb } from '../verb';

export const subhostInitVerb: Verb = {
  name: SUBHOST_INIT,
  summary: 'internal: the PID 1 of a subhost (started by bootstrap subhost start)',
  help: `Usage: bootstrap ${SUBHOST_INIT} NAME [--ready-fd FD]

Internal to 'bootstrap subhost start', which runs it through unshare(1) as PID 1 of the subhost's new
namespaces: it makes the subhost's live directory its root and boots postSwitch there. FD receives
"ready" once the handoff begins.
`,
  async run(args, io) {
    const parsed = parseArgs(args, { 'ready-fd': { value: true } }, SUBHOST_INIT);
    if (parsed.help) {
      io.stdout(this.help);
      return 0;
    }
    const [name] = expectPositionals(parsed, ['NAME'], SUBHOST_INIT);
    const fdText = optionValue(parsed, 'ready-fd');
    const readyFd = fdText === undefined ? undefined : Number(fdText);
    if (readyFd !== undefined && (!Number.isInteger(readyFd) || readyFd < 3)) throw new UsageError(`--ready-fd takes a descriptor number of 3 or more, not ${JSON.stringify(fdText)}`, SUBHOST_INIT);
    return subhostInit({ name: name!, readyFd });
  },
};
