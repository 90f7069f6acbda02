// `bootstrap vm` from a request to an exit status: find the tools and the kernel, pack (or reuse) the base
// initramfs, append this run's config, choose KVM or TCG, start virtiofsd and QEMU, and run the session.
// Everything it starts is stopped and its run directory removed on every way out.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/generated/config-types';
import { configModules } from '../pack/config-modules';
import { thisExecutable } from '../pack/this-executable';
import { kvmApiVersion } from '../sys/kvm';
import { chooseAccel, type AccelChoice } from './accel';
import { listenChannel, type Channel } from './channels';
import { commandSession, type SessionContext } from './command-session';
import { consoleSession } from './console-session';
import { GUEST_PACKED_MODULES, guestConfig } from './guest-config';
import { hostTerminal } from './host-terminal';
import { baseImage, vmCacheDir } from './image-cache';
import { chooseKernel, findTool, tools } from './locate';
import { processOwner } from './owned-processes';
import { BASE_APPEND, qemuArgs } from './qemu-command';
import { writeRunInitrd } from './run-initrd';
import { signalStatus, watchStopSignals } from './stop-signals';
import { startVirtiofsd } from './virtiofsd';
import { VmError } from './vm-error';

/** Everything the verb parsed. */
export interface VmRequest {
  root: string;
  kernel?: string | undefined;
  modules?: string | undefined;
  /** --config, read and validated by the verb. */
  userConfig?: { text: string; config: Config } | undefined;
  memoryMiB: number;
  cpus: number;
  virtiofsd?: string | undefined;
  qemu?: string | undefined;
  rw: boolean;
  append?: string | undefined;
  accel: AccelChoice;
  /** The /init executable (default: this one). */
  binary?: string | undefined;
  verbose: boolean;
  /** The command after `--`; empty for a shell. */
  command: readonly string[];
}

/** The shell the guest runs when no command is given. */
export const DEFAULT_COMMAND = ['/bin/sh'] as const;

/** Boots the guest and returns vm's exit status; throws VmError for vm's own failures. `note` writes a line on stderr. */
export async function runVm(request: VmRequest, note: (line: string) => void): Promise<number> {
  if (process.arch !== 'x64') throw new VmError(`bootstrap vm boots x86_64 guests with qemu-system-x86_64; this host is ${process.arch}`);
  const root = checkRoot(request.root);
  const qemu = findTool(tools.qemu, request.qemu, '--qemu');
  const virtiofsd = findTool(tools.virtiofsd, request.virtiofsd, '--virtiofsd');
  const setpriv = findTool(tools.setpriv, undefined, undefined);
  const kernel = chooseKernel({ kernel: request.kernel, modules: request.modules });
  const binary = request.binary ?? thisExecutable();
  if (binary === undefined) throw new VmError('no bootstrap executable to pack as /init: run vm from the single executable (dist/bootstrap) or pass --binary PATH');

  const terminal = hostTerminal();
  const { userConfig } = request;
  const configText =
    userConfig?.text ??
    guestConfig({
      command: request.command.length > 0 ? request.command : DEFAULT_COMMAND,
      rw: request.rw,
      io: terminal.io,
      // The host's own root: start where vm was started, as vng does.
      cwd: root === '/' ? process.cwd() : undefined,
    });
  // A config's modules come on top of the generated config's, so a config that loads no others shares its image.
  const modules = userConfig ? [...new Set([...GUEST_PACKED_MODULES, ...configModules(userConfig.config)])] : GUEST_PACKED_MODULES;

  const stop = watchStopSignals();
  const owner = processOwner(setpriv);
  const runDir = mkdtempSync(join(tmpdir(), 'bootstrap-vm-'));
  const removeRunDir = (): void => rmSync(runDir, { recursive: true, force: true });
  process.once('exit', removeRunDir);
  const channels: Channel[] = [];
  try {
    const cacheDir = vmCacheDir();
    const base = await baseImage({ binary, modulesDir: kernel.modules, modules }, cacheDir);
    if (base.built && request.verbose) note(`packed the base initramfs ${base.path} (reused while the executable and ${kernel.modules} stay the same)`);
    const initrd = join(runDir, 'initrd.img');
    writeRunInitrd(base.path, configText, initrd);

    const decision = await chooseAccel(request.accel, { qemu, owner, workDir: runDir, cacheDir, kvmApiVersion: () => kvmApiVersion(), bootId });
    if (decision.fallback !== undefined) note(decision.fallback);
    // A signal during the pack or the probe: nothing more is started.
    if (stop.received !== undefined) return signalStatus(stop.received);

    const socket = (name: string): string => join(runDir, `${name}.sock`);
    await startVirtiofsd(owner, virtiofsd, { dir: root, socket: socket('virtiofs'), readOnly: !request.rw });
    const listen = async (name: string): Promise<Channel> => {
      const channel = await listenChannel(socket(name));
      channels.push(channel);
      return channel;
    };
    const serial = await listen('serial');
    const command = userConfig ? undefined : { terminal: await listen('terminal'), ...(terminal.io.kind === 'pipes' ? { stdout: await listen('stdout'), stderr: await listen('stderr') } : {}) };
    const args = qemuArgs({
      accel: decision.accel,
      cpus: request.cpus,
      memoryMiB: request.memoryMiB,
      kernel: kernel.image,
      initrd,
      // quiet: the kernel's messages are vm's business (--verbose shows them), not the command's.
      append: [BASE_APPEND, ...(userConfig ? [] : ['quiet']), request.append ?? ''].join(' ').trim(),
      sockets: { virtiofs: socket('virtiofs'), serial: serial.path, ...(command ? { terminal: command.terminal.path, stdout: command.stdout?.path, stderr: command.stderr?.path } : {}) },
      ...(command ? { io: terminal.io } : {}),
    });
    if (request.verbose) note(`${qemu} ${args.join(' ')}`);
    const context: SessionContext = { owner, qemu, args, terminal, stop, verbose: request.verbose, note };
    return command ? await commandSession(context, { serial, ...command }) : await consoleSession(context, serial);
  } finally {
    stop.dispose();
    terminal.restore();
    for (const channel of channels) channel.close();
    await owner.stopAll(2000);
    removeRunDir();
    process.off('exit', removeRunDir);
  }
}

function checkRoot(dir: string): string {
  const root = resolve(dir);
  const stat = statSync(root, { throwIfNoEntry: false });
  if (stat === undefined) throw new VmError(`--root ${dir}: no such directory`);
  if (!stat.isDirectory()) throw new VmError(`--root ${dir}: not a directory`);
  return root;
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}
