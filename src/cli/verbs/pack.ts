// `bootstrap pack`: writes an initramfs with this executable as /init, its libraries, the config and the modules it loads.
import { verbSummaries } from '../verb-summaries';
import { compressions, defaultCompression, type Compression } from '../../pack/compress';
import { packInitramfs, PackError, type PackSpec } from '../../pack/initramfs';
import { inputAt } from '../../pack/same-file';
import { writeFileAtomically } from '../../pack/write-atomically';
import { configModules } from '../../pack/config-modules';
import { thisExecutable } from '../../pack/this-executable';
import { optionValue, parseArgs, expectPositionals, UsageError } from '../args';
import { parseAdd } from '../pack-add';
import { readConfig } from '../read-config';
import { diagnosticsJson, diagnosticsText } from '../../config/format-diagnostics';
import { exitCode, type Verb } from '../verb';
import { versionAndBuild } from '../../version';
import { bundledAddon } from '../../sys/koffi';

// Whether the binary packed is this very executable (by device and inode, whatever the path says).
function packsItself(binary: string): boolean {
  const self = thisExecutable();
  return self !== undefined && inputAt(binary, [self]) !== undefined;
}

export const packVerb: Verb = {
  name: 'pack',
  summary: verbSummaries.pack,
  help: `Usage: bootstrap pack --config FILE --output INITRD [--modules-from DIR] [--module NAME]...
                      [--add SRC:DEST]... [--compress none|gzip|zstd] [--binary PATH] [--output-format text|json]

Validates the config (an invalid one is refused), then writes a newc initramfs holding:
  /init                            this executable (or --binary PATH)
  its shared libraries and loader  resolved from its ELF headers as ld.so would
  /etc/bootstrap/bootstrap.yaml    the config
  /etc/bootstrap/prepared.json     when /init is this executable: the config as validated and the boot's
                                   plan for the packed modules, used at boot only if made from exactly
                                   what the boot reads (else it validates and plans itself)
  /lib/bootstrap/koffi-HASH.node   when /init is this executable: its FFI addon, which PID 1 then loads from
                                   the image instead of unpacking it from /init
  /dev/console, /proc, /sys, /run, /tmp
  /lib/modules/KVER/...            the modules the config loads before any switch (and --module ones) with their
                                   dependencies and a modules.dep of what was packed, from DIR
                                   (a lib/modules/KVER tree)

Options:
  --config FILE          the config to pack
  --output INITRD        the image to write: whole or not at all (a temporary file beside it, then
                         renamed), and never over one of the files it is made from
  --modules-from DIR     a lib/modules/KVER directory (needed when the config loads modules)
  --module NAME          another module to pack (repeatable)
  --add SRC:DEST         copy a file or directory tree into the image at DEST, or into DEST
                         under its own name when DEST ends in / (repeatable)
  --compress KIND        none, gzip or zstd (default none: fastest under QEMU;
                         zstd for a slow disk, PXE or little RAM)
  --binary PATH          the /init executable (default: this executable)
  --sysroot DIR          find the binary's interpreter and libraries in DIR, the target's root file
                         system (an arm64 one for dist/bootstrap-arm64), instead of this machine's
  --output-format FMT    text (default) or json: {output, bytes, compress, libraries, modules,
                         builtinModules, kernelVersion}; {"valid": false, "errors": [...]} for an
                         invalid or unreadable config; {"error": {reason, message}} when it cannot pack
  -h, --help             show this help

Exit status: 0 written, 1 invalid config or unpackable (a module not in modules.dep), 2 usage or I/O error.
`,
  async run(args, io) {
    const parsed = parseArgs(
      args,
      {
        config: { value: true },
        output: { value: true },
        'modules-from': { value: true },
        module: { value: true, repeat: true },
        add: { value: true, repeat: true },
        compress: { value: true, choices: compressions },
        binary: { value: true },
        sysroot: { value: true },
        'output-format': { value: true, choices: ['text', 'json'] },
      },
      'pack',
    );
    if (parsed.help) {
      io.stdout(this.help);
      return exitCode.ok;
    }
    expectPositionals(parsed, [], 'pack');
    const configPath = optionValue(parsed, 'config');
    const output = optionValue(parsed, 'output');
    if (!configPath) throw new UsageError('--config FILE is required', 'pack');
    if (!output) throw new UsageError('--output INITRD is required', 'pack');
    const binary = optionValue(parsed, 'binary') ?? thisExecutable();
    if (!binary) throw new UsageError('--binary PATH is required when bootstrap does not run as its single executable', 'pack');
    const json = optionValue(parsed, 'output-format', 'text') === 'json';
    // A failure is said on stderr and, for a script asking for JSON, as {"error": {reason, message}} on stdout.
    const fail = (reason: string, message: string, code: number): number => {
      io.stderr(`bootstrap pack: ${message}\n`);
      if (json) io.stdout(`${JSON.stringify({ error: { reason, message } }, null, 2)}\n`);
      return code;
    };
    const { result, ioError, bytes } = readConfig(configPath, io);
    if (!result.config) {
      if (json) io.stdout(diagnosticsJson(false, result.diagnostics, result.omitted));
      else io.stderr(diagnosticsText(configPath, result.valid, result.diagnostics, result.omitted));
      io.stderr(`bootstrap pack: refusing to pack an invalid config\n`);
      return ioError ? exitCode.usage : exitCode.invalid;
    }
    const modules = [...configModules(result.config), ...(parsed.options.get('module') ?? [])];
    const modulesFrom = optionValue(parsed, 'modules-from');
    if (modules.length > 0 && !modulesFrom) {
      return fail('modules', `the config loads modules (${modules.join(', ')}); give --modules-from /lib/modules/KVER so they are packed`, exitCode.invalid);
    }
    const itself = packsItself(binary);
    const addon = itself ? bundledAddon() : undefined;
    const spec: PackSpec = {
      binary,
      configText: new TextDecoder().decode(bytes),
      ...(modulesFrom ? { modulesFrom, modules } : {}),
      add: (parsed.options.get('add') ?? []).map(parseAdd),
      compress: optionValue(parsed, 'compress', defaultCompression) as Compression,
      ...(optionValue(parsed, 'sysroot') ? { sysroot: optionValue(parsed, 'sysroot') } : {}),
      // Only this executable's own validation and plan may be trusted by the /init it packs: itself.
      ...(itself ? { prepareFor: versionAndBuild } : {}),
      // So is its FFI addon, which PID 1 then loads from the image rather than unpacking it from itself.
      ...(itself && addon !== undefined ? { ffiAddon: addon } : {}),
    };
    // Writing over an input would destroy it: refuse what is named here at once, and every file read once packed.
    const clobbered = (inputs: readonly string[]): number | undefined => {
      const input = inputAt(output, inputs);
      if (input === undefined) return undefined;
      const role = input === configPath ? 'the config (--config)' : input === binary ? 'the binary (--binary)' : 'a file the image is made from';
      return fail('output', `refusing to write ${output}: it is ${input}, ${role}, which writing the image would destroy; choose another --output`, exitCode.usage);
    };
    const named = [...(configPath === '-' ? [] : [configPath]), binary, ...(spec.add ?? []).map((add) => add.src)];
    const early = clobbered(named);
    if (early !== undefined) return early;
    try {
      const { image, contents } = await packInitramfs(spec);
      const late = clobbered([...named, ...contents.sources]);
      if (late !== undefined) return late;
      writeFileAtomically(output, image);
      const summary = { output, bytes: image.length, compress: spec.compress, libraries: contents.libraries, modules: contents.modules, builtinModules: contents.builtinModules, kernelVersion: contents.kernelVersion ?? null };
      if (json) {
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        io.stdout(
          `wrote ${output}: ${(image.length / 1048576).toFixed(1)} MiB (${spec.compress}), /init + ${contents.libraries.length} libraries` +
            `${contents.modules.length ? `, ${contents.modules.length} modules for ${contents.kernelVersion}` : ''}` +
            `${contents.builtinModules.length ? ` (built in: ${contents.builtinModules.join(', ')})` : ''}\n`,
        );
      }
      return exitCode.ok;
    } catch (error) {
      if (error instanceof PackError) return fail(error.reason, error.message, error.reason === 'modules' || error.reason === 'conflict' ? exitCode.invalid : exitCode.usage);
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === 'string') return fail('write', `cannot write ${output}: ${(error as Error).message}`, exitCode.usage);
      throw error;
    }
  },
};
