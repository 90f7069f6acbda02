// The `namespaces` step. In the boot that was asked for them: create them with unshare(1), run a copy of bootstrap
// inside that boots on, and stay outside as its parent: forward signals to it, reap, and end with its status. In
// that copy: wait until the id maps are written, then become the namespaces' root.
//
// Why the parent waits rather than execs: it cannot enter the namespaces itself (setns(2) into a user namespace is
// refused to a multi-threaded process as unshare(2) is), the maps must be written from outside by a process holding
// CAP_SETUID/CAP_SETGID over the outside ids, and as a container's PID 1 it must stay to forward the container's
// signals and to reap; exec'ing unshare(1) in its place would leave the maps to unshare's --map-* options, which need
// newuidmap(1) and take one range each.
import { readlinkSync } from 'node:fs';
import type { StepResult } from '../exec/run-steps';
import { becomeNamespaceRoot } from '../namespaces/become-root';
import { awaitRelease } from '../namespaces/handshake';
import { describeExit, spawnInNamespaces } from '../namespaces/spawn-in-namespaces';
import { handledSignals } from '../pid1/signals';
import type { StepOf } from '../plan/step';
import { isExecutable } from '../sys/executable';
import type { BootContext } from './boot-context';

/** The internal verb the copy inside runs: `boot` that does not create the namespaces again. */
export const BOOT_IN_NAMESPACES = '__boot-in-namespaces';

/** Set by esbuild's `define` when building the single executable. */
declare const BOOTSTRAP_BUNDLED: boolean | undefined;

/**
 * How to run bootstrap again through unshare(1): the executable's real path (/proc/PID/exe would be resolved by
 * unshare, in its own /proc entry); in development, Node with the TypeScript entry point.
 */
function selfCommand(): string[] {
  if (typeof BOOTSTRAP_BUNDLED === 'undefined' || !BOOTSTRAP_BUNDLED) return [process.execPath, '--import', 'tsx', new URL('../main.ts', import.meta.url).pathname];
  const path = readlinkSync('/proc/self/exe');
  if (!isExecutable(path)) throw new Error(`namespaces: this executable (${path}) cannot be run again from its path, which a copy inside the namespaces needs`);
  return [path];
}

/** Outside: never returns (the process ends with the boot inside). Inside: returns once this process is the namespaces' root. */
export function enterNamespaces(step: StepOf<'namespaces'>, context: BootContext): Promise<StepResult> {
  return context.insideNamespaces ? settleInside(step, context) : handOver(step, context);
}

async function settleInside(step: StepOf<'namespaces'>, context: BootContext): Promise<StepResult> {
  await awaitRelease();
  if (step.uidMap.length === 0) {
    context.log.info(`running in new namespaces ${step.namespaces.join(' ')}`);
    return undefined;
  }
  const groups = becomeNamespaceRoot(context.sys);
  context.log.info(`running in new namespaces ${step.namespaces.join(' ')} as their root (supplementary groups ${groups})`);
  return undefined;
}

async function handOver(step: StepOf<'namespaces'>, context: BootContext): Promise<never> {
  const { runtime, log, sys } = context;
  const child = await spawnInNamespaces({
    namespaces: step.namespaces,
    ...(step.uidMap.length > 0 ? { idMap: { users: step.uidMap, groups: step.gidMap } } : {}),
    argv: [...selfCommand(), BOOT_IN_NAMESPACES, '--config', context.launch.configPath, '--cmdline', context.launch.cmdline],
    env: context.env,
    spawn: (spec) => context.children.spawn(spec),
    sys,
  });
  log.info(`the boot goes on in the new namespaces as pid ${child.initPid}${step.namespaces.includes('pid') ? ' (PID 1 there)' : ''}; this process forwards signals to it and ends with its status`);
  log.debug(`created by ${child.argv.join(' ')}`);
  if (child.idMaps) log.debug(`uid_map ${JSON.stringify(child.idMaps.uidMap)}, gid_map ${JSON.stringify(child.idMaps.gidMap)}, setgroups ${child.idMaps.setgroups}`);
  runtime.onSignals((signal) => {
    try {
      sys.kill(child.initPid, signal);
    } catch (error) {
      log.debug(`forwarding ${signal} to ${child.initPid}: ${(error as Error).message}`);
    }
  });
  log.debug(`forwarding ${handledSignals.join(' ')}`);
  const exit = await child.exited;
  const status = 'exitCode' in exit ? exit.exitCode : 128 + exit.signal;
  return runtime.shutdown({ action: 'poweroff', reason: `the boot in the namespaces ended (${describeExit(exit)})`, exitCode: status });
}
