// `bootstrap __subhost-init NAME [--ready-fd FD] [--release-fd FD]`: internal; the PID 1 `subhost start` runs in the new namespaces.
import { subhostInit } from '../../subhost/subhost-init';
import { SUBHOST_INIT } from '../../subhost/start';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import type { Verb } from '../verb';

export const subhostInitVerb: Verb = {
  name: SUBHOST_INIT,
  summary: 'internal: the PID 1 of a subhost (started by bootstrap subhost start)',
  help: `Usage: bootstrap ${SUBHOST_INIT} NAME [--ready-fd FD] [--release-fd FD]

Internal to 'bootstrap subhost start', which runs it through unshare(1) as PID 1 of the subhost's new
namespaces: it makes the subhost's live directory its root and boots postSwitch there. The ready FD
receives "ready" once the handoff begins; with a release FD it first waits for one byte there (start
writes it once the id maps and cables are made).
`,
  async run(args, io) {
    const parsed = parseArgs(args, { 'ready-fd': { value: true }, 'release-fd': { value: true } }, SUBHOST_INIT);
    if (parsed.help) {
      io.stdout(this.help);
      return 0;
    }
    const [name] = expectPositionals(parsed, ['NAME'], SUBHOST_INIT);
    const descriptor = (option: 'ready-fd' | 'release-fd'): number | undefined => {
      const text = optionValue(parsed, option);
      const fd = text === undefined ? undefined : Number(text);
      if (fd !== undefined && (!Number.isInteger(fd) || fd < 3)) throw new UsageError(`--${option} takes a descriptor number of 3 or more, not ${JSON.stringify(text)}`, SUBHOST_INIT);
      return fd;
    };
    return subhostInit({ name: name!, readyFd: descriptor('ready-fd'), releaseFd: descriptor('release-fd') });
  },
};
