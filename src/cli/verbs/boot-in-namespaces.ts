// `bootstrap __boot-in-namespaces`: internal. The copy of `bootstrap boot` that unshare(1) starts in the namespaces a
// config's `namespaces` asks for; it boots on without creating them again (see src/boot/enter-namespaces.ts).
import { boot } from '../../boot/boot';
import { BOOT_IN_NAMESPACES } from '../../boot/enter-namespaces';
import { announceStarted } from '../../namespaces/handshake';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import { exitCode, type Verb } from '../verb';

export const bootInNamespacesVerb: Verb = {
  name: BOOT_IN_NAMESPACES,
  summary: 'internal: the boot inside namespaces its parent boot created',
  help: `Usage: bootstrap ${BOOT_IN_NAMESPACES} --config FILE --cmdline TEXT

Internal to \`bootstrap boot\` with \`namespaces\` in its config: started by util-linux unshare(1) in the
new namespaces, with the handshake pipes as descriptors 3 and 4. It tells its parent it runs, waits
for the id maps, becomes the namespaces' root and boots as \`bootstrap boot\` does. Exit status 2
when started any other way.
`,
  async run(args, io) {
    const parsed = parseArgs(args, { config: { value: true }, cmdline: { value: true } }, BOOT_IN_NAMESPACES);
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    expectPositionals(parsed, [], BOOT_IN_NAMESPACES);
    const configPath = optionValue(parsed, 'config');
    const cmdline = optionValue(parsed, 'cmdline');
    if (configPath === undefined || cmdline === undefined) throw new UsageError('--config and --cmdline are required', BOOT_IN_NAMESPACES);
    try {
      announceStarted();
    } catch (error) {
      io.stderr(`bootstrap: ${(error as Error).message}\n`);
      return exitCode.usage;
    }
    return boot({ configPath, cmdline, insideNamespaces: true });
  },
};
