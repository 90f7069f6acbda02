// `bootstrap vm`: boot a directory (the host's / by default) in QEMU over virtiofs and run one command in it.
import { verbSummaries } from '../verb-summaries';
import { diagnosticsText } from '../../config/format-diagnostics';
import type { AccelChoice } from '../../vm/accel';
import { DEFAULT_MEMORY, DEFAULT_CPUS, MAX_CPUS, parseCpus } from '../../vm/vm-defaults';
import { parseMemorySize } from '../../vm/memory-size';
import { runVm } from '../../vm/run-vm';
import { VmError } from '../../vm/vm-error';
import { expectPositionals, optionValue, parseArgs, UsageError } from '../args';
import { readConfig } from '../read-config';
import { exitCode, type Verb } from '../verb';

export const vmVerb: Verb = {
  name: 'vm',
  summary: verbSummaries.vm,
  help: `Usage: bootstrap vm [--root DIR] [--kernel FILE] [--modules DIR] [--config FILE] [--memory SIZE]
                    [--cpus N] [--virtiofsd PATH] [--qemu PATH] [--rw] [--append TEXT]
                    [--accel auto|kvm|tcg] [--binary PATH] [--verbose] [-- COMMAND [ARGS...]]

Boots DIR in a QEMU guest with bootstrap as its init and runs COMMAND in it (a shell without one), as
virtme-ng's vng does. The guest's root is DIR over virtiofs, under a tmpfs overlay that vanishes with
the guest, so the host is never written (--rw writes through). COMMAND's output arrives on stdout and
stderr as it runs, its exit status is vm's, and the guest powers off when it ends. When stdin and stdout
are terminals the command gets a terminal (raw: ^C, ^Z and ^D reach it; Ctrl-A x ends the VM);
otherwise its stdin, stdout and stderr are vm's, as pipes. The kernel's and bootstrap's messages
never mix with its output (--verbose shows them on stderr). See docs/vm.md.

Options:
  --root DIR          the guest's root directory (default /)
  --kernel FILE       the kernel (default /boot/vmlinuz-$(uname -r))
  --modules DIR       its lib/modules/RELEASE tree (default /lib/modules/RELEASE of the kernel's release);
                      the modules the boot needs come with their dependencies, from modules.dep
  --config FILE       boot this bootstrap config instead of running COMMAND: its console is vm's
                      terminal, the root is shared with mount tag rootfs, and vm exits 0 when the
                      guest powers off, 1 when its kernel panics
  --memory SIZE       guest RAM, e.g. 2G or 1536M (default ${DEFAULT_MEMORY})
  --cpus N            virtual CPUs, 1 to ${MAX_CPUS} (default ${DEFAULT_CPUS})
  --virtiofsd PATH    the Rust virtiofsd (default: PATH, then /usr/libexec/virtiofsd)
  --qemu PATH         qemu-system-x86_64 (default: PATH)
  --rw                let the guest write to DIR (no overlay)
  --append TEXT       more kernel arguments
  --accel MODE        auto (default: KVM when /dev/kvm works, checked by running a tiny guest on it,
                      else TCG with a line on stderr), kvm or tcg
  --binary PATH       the bootstrap executable packed as /init (default: this one)
  --verbose           copy the guest's serial console (kernel and bootstrap messages) to stderr
  -h, --help          show this help

The initramfs (bootstrap, its libraries, the modules) is packed once and cached in
$XDG_CACHE_HOME/bootstrap/vm (default ~/.cache/bootstrap/vm); each run appends its own config to a copy.

Exit status: COMMAND's; with --config 0 or 1 as above; 2 for vm's own failures (usage, a missing
kernel, module tree, directory, virtiofsd or QEMU, a guest that never ran the command), 1 for an
invalid --config; 128+N when signal N (TERM, INT before the command runs, HUP) stopped vm.
`,
  async run(args, io) {
    const split = args.indexOf('--');
    const own = split < 0 ? args : args.slice(0, split);
    const command = split < 0 ? [] : args.slice(split + 1);
    const parsed = parseArgs(
      own,
      {
        root: { value: true },
        kernel: { value: true },
        modules: { value: true },
        config: { value: true },
        memory: { value: true },
        cpus: { value: true },
        virtiofsd: { value: true },
        qemu: { value: true },
        rw: {},
        append: { value: true },
        accel: { value: true, choices: ['auto', 'kvm', 'tcg'] },
        binary: { value: true },
        verbose: {},
      },
      'vm',
    );
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}; put the command after --`, 'vm');
    expectPositionals(parsed, [], 'vm');
    const configPath = optionValue(parsed, 'config');
    if (configPath !== undefined && command.length > 0) throw new UsageError('--config boots that config\'s own handoff; a COMMAND after -- runs in the generated one: give one or the other', 'vm');
    let memoryMiB: number;
    let cpus: number;
    try {
      memoryMiB = parseMemorySize(optionValue(parsed, 'memory', DEFAULT_MEMORY));
      cpus = parseCpus(optionValue(parsed, 'cpus', String(DEFAULT_CPUS)));
    } catch (error) {
      throw new UsageError((error as Error).message, 'vm');
    }
    let userConfig;
    if (configPath !== undefined) {
      const { result, ioError, bytes } = readConfig(configPath, io);
      if (!result.config) {
        io.stderr(diagnosticsText(configPath, result.valid, result.diagnostics, result.omitted));
        return ioError ? exitCode.usage : exitCode.invalid;
      }
      userConfig = { text: new TextDecoder().decode(bytes), config: result.config };
    }
    try {
      return await runVm(
        {
          root: optionValue(parsed, 'root', '/'),
          kernel: optionValue(parsed, 'kernel'),
          modules: optionValue(parsed, 'modules'),
          userConfig,
          memoryMiB,
          cpus,
          virtiofsd: optionValue(parsed, 'virtiofsd'),
          qemu: optionValue(parsed, 'qemu'),
          rw: parsed.options.has('rw'),
          append: optionValue(parsed, 'append'),
          accel: optionValue(parsed, 'accel', 'auto') as AccelChoice,
          binary: optionValue(parsed, 'binary'),
          verbose: parsed.options.has('verbose'),
          command,
        },
        (line) => io.stderr(`bootstrap vm: ${line}\n`),
      );
    } catch (error) {
      if (error instanceof VmError) {
        io.stderr(`bootstrap vm: ${error.message}\n`);
        return exitCode.usage;
      }
      throw error;
    }
  },
};
