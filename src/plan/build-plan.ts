// Config (+ facts about the machine) → the ordered steps of a boot. Pure: all I/O comes in as data.
import type { BootScript, Config, Handoff, Hook, Modules, Phase } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import { moduleName, type LoadOrderFacts } from '../modules/modules-dep';
import { moduleDirectories, ModuleResolveError, resolveModules } from '../modules/resolve-modules';
import { consolePath } from './console-path';
import { mountCall } from './mount-spec';
import { networkPhase, networkSteps } from './network-plan';
import { nfsModules } from './nfs-options';
import { freshReason, namespacesStep } from './namespace-plan';
import { virtualMounts } from './virtual-mounts';
import type { FailurePolicy, HandoffPlan, PhaseName, Step, StepOf, SwitchMode } from './step';

/** What the plan may know about the machine it runs on. */
export interface PlanFacts extends LoadOrderFacts {
  /** Reads a file (modules.dep), or returns undefined when it cannot. */
  readFile?: (path: string) => string | undefined;
  /** `uname -r`, to find /lib/modules/<release>. */
  kernelRelease?: string;
  /** At boot modules.dep must be readable; `bootstrap plan` on a host may only show the names. */
  requireModulesDep?: boolean;
}

/** A config that cannot be turned into steps (an unknown module, an unreadable modules.dep at boot). */
export class PlanError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

/** Where the real root is assembled before switching. */
export const NEW_ROOT = '/sysroot';
/** Where the root filesystem itself is mounted when an overlay or a subdirectory sits on top of it. */
const ROOT_MOUNT = '/run/bootstrap/root';
const OVERLAY_TMPFS = '/run/bootstrap/overlay';

const abort: FailurePolicy = { onFailure: 'Abort', retries: 0, retryDelayMs: 0 };

/** The steps of a boot, in order. Throws PlanError when the config cannot be planned with these facts. */
export function buildPlan(config: Config, facts: PlanFacts = {}): Step[] {
  const steps: Step[] = [{ kind: 'console', phase: 'preSwitch', source: '/console', policy: abort, device: consolePath(config.console) }];
  // First of all (after the console a machine's init hands on): everything after this step runs in the namespaces.
  try {
    steps.push(...namespacesStep(config));
  } catch (error) {
    if (error instanceof RangeError) throw new PlanError('/idMap', error.message);
    throw error;
  }
  const namespaces = config.namespaces ?? [];
  for (const mount of virtualMounts) steps.push({ kind: 'mountVirtual', phase: 'preSwitch', source: '', policy: abort, ...mount, fresh: freshReason(mount, namespaces) });
  // Services that talk to 127.0.0.1 (and probes of them) need lo up; a failure is not worth aborting a boot.
  steps.push({ kind: 'loopback', phase: 'preSwitch', source: '', policy: { onFailure: 'Warn', retries: 0, retryDelayMs: 0 }, interface: 'lo' });
  const network = networkSteps(config.network, networkPhase(config));
  const preSwitchNetwork = network.filter((step) => step.phase === 'preSwitch');
  if (config.preSwitch) steps.push(...phaseSteps(config.preSwitch, 'preSwitch', facts, false, preSwitchNetwork));
  else steps.push(...preSwitchNetwork);
  steps.push(...impliedModuleSteps(config, facts));
  if (config.switchRoot) steps.push(...switchRootSteps(config));
  // After a switch the root, and with it the module tree, is another one than the facts describe.
  const switched = config.switchRoot !== undefined && config.switchRoot.mode !== 'none';
  steps.push(...phaseSteps(config.postSwitch, 'postSwitch', facts, switched, network.filter((step) => step.phase === 'postSwitch')));
  const handoff = config.postSwitch.handoff;
  if (handoff.bootScript) steps.push(bootScriptStep(handoff.bootScript));
  steps.push({ kind: 'handoff', phase: 'postSwitch', source: '/postSwitch/handoff', policy: abort, handoff: handoffPlan(handoff), initctl: config.postSwitch.initctl });
  return steps;
}

/**
 * Modules bootstrap itself needs for what the config asks, beyond those listed: overlayfs under `overlay: true`, and
 * the NFS client of an NFS root's version (the kernel would ask modprobe for it, which an initramfs does not have).
 */
export function impliedModules(config: Config): string[] {
  const listed = new Set((config.preSwitch?.modules?.names ?? []).map(moduleName));
  const root = config.switchRoot?.rootFileSystem;
  const wanted = [...(root?.overlay ? ['overlay'] : []), ...(root?.type === 'nfs' ? nfsModules(root.version) : [])];
  return wanted.filter((name) => !listed.has(name));
}

// Loaded like listed modules, but a kernel with them built in, or without modules.dep, is fine: a warning at most.
// (A missing NFS client then fails the root's mount with ENODEV, which names the filesystem type.)
function impliedModuleSteps(config: Config, facts: PlanFacts): Step[] {
  const names = impliedModules(config);
  if (names.length === 0) return [];
  const modules = { mode: 'list' as const, directory: config.preSwitch?.modules?.directory ?? '/lib/modules', names: names as [string, ...string[]], onFailure: 'Warn' as const, parallel: config.preSwitch?.modules?.parallel ?? true };
  try {
    return moduleSteps(modules, 'preSwitch', { ...facts, requireModulesDep: false }, false).filter((step) => step.kind !== 'loadModule' || step.path !== undefined);
  } catch {
    // Not in modules.dep: built in, or absent; the overlay mount then says what is missing.
    return [];
  }
}

function policyOf(onFailure: FailurePolicy['onFailure'], retries = 3, retryDelay = '1s'): FailurePolicy {
  return onFailure === 'Retry' ? { onFailure, retries, retryDelayMs: parseDuration(retryDelay) } : { onFailure, retries: 0, retryDelayMs: 0 };
}

// `network` (steps made by the caller) comes before the hooks, which may need it, and after the modules its drivers are.
function phaseSteps(phase: Phase, name: PhaseName, facts: PlanFacts, switched: boolean, network: Step[] = []): Step[] {
  const at = `/${name}`;
  const steps: Step[] = [];
  if (phase.modules) steps.push(...moduleSteps(phase.modules, name, facts, switched));
  for (const [index, mount] of (phase.mounts ?? []).entries()) {
    steps.push({ kind: 'mount', phase: name, source: `${at}/mounts/${index}`, policy: policyOf(mount.onFailure), target: mount.target, ...mountCall(mount) });
  }
  for (const [key, value] of Object.entries(phase.sysctl ?? {})) {
    steps.push({ kind: 'sysctl', phase: name, source: `${at}/sysctl/${key}`, policy: abort, key, value: sysctlValue(value) });
  }
  for (const [index, link] of (phase.symlinks ?? []).entries()) {
    steps.push({ kind: 'symlink', phase: name, source: `${at}/symlinks/${index}`, policy: abort, path: link.path, target: link.target });
  }
  for (const [index, file] of (phase.tmpfiles ?? []).entries()) {
    steps.push({
      kind: 'tmpfile',
      phase: name,
      source: `${at}/tmpfiles/${index}`,
      policy: abort,
      path: file.path,
      type: file.type,
      mode: file.mode === undefined ? undefined : parseInt(file.mode, 8),
      user: file.user,
      group: file.group,
      content: file.content,
    });
  }
  const environment = Object.entries(phase.environment ?? {});
  if (environment.length > 0) {
    steps.push({ kind: 'setEnv', phase: name, source: `${at}/environment`, policy: abort, variables: Object.fromEntries(environment.map(([key, value]) => [key, String(value)])) });
  }
  steps.push(...network);
  for (const [index, hook] of (phase.hooks ?? []).entries()) steps.push(hookStep(hook, name, `${at}/hooks/${index}`));
  return steps;
}

function moduleSteps(modules: NonNullable<Modules>, phase: PhaseName, facts: PlanFacts, switched: boolean): Step[] {
  const source = `/${phase}/modules`;
  const policy = policyOf(modules.onFailure);
  if (switched) return lookupSteps(modules, phase, policy);
  let resolved;
  try {
    resolved = resolveModules(modules, facts.readFile ?? (() => undefined), facts);
  } catch (error) {
    if (error instanceof ModuleResolveError) throw new PlanError(`${source}/names`, `${error.message} (${error.depPath})`);
    throw error;
  }
  if (resolved) {
    const { order, directory } = resolved;
    const optional = new Set(order.optional);
    // Like modprobe, a module wanted only through a soft dependency may fail with a warning.
    const warn: FailurePolicy = { onFailure: 'Warn', retries: 0, retryDelayMs: 0 };
    // A module built into this kernel (virtio_pci, fuse on Debian 13's 6.12), listed or a dependency on another kernel,
    // is never loaded: parameters given to it would be lost without a word.
    const builtin = Object.entries(modules.parameters ?? {}).flatMap(([key, parameters]): Step[] =>
      resolved.builtin.has(moduleName(key)) && parameters !== '' ? [{ kind: 'builtinModule', phase, source: `${source}/parameters/${pointerToken(key)}`, policy: warn, name: moduleName(key), parameters }] : [],
    );
    const loads = order.paths.map((path) => ({
      kind: 'loadModule' as const,
      phase,
      source,
      policy: optional.has(path) ? warn : policy,
      name: moduleName(path),
      path: `${directory}/${path}`,
      parameters: moduleParameters(modules, moduleName(path)),
      lookup: undefined,
      after: modules.parallel ? (order.after.get(path) ?? []).map(moduleName) : undefined,
    }));
    return [...builtin, ...loads];
  }
  if (facts.requireModulesDep) {
    throw new PlanError(`${source}/depFilePath`, `cannot read ${modules.depFilePath ?? 'modules.dep'} in ${moduleDirectories(modules, facts.kernelRelease).join(' or ')}: module dependencies cannot be resolved`);
  }
  return modules.names.map((name) => ({
    kind: 'loadModule' as const,
    phase,
    source,
    policy,
    name: moduleName(name),
    path: name.includes('/') ? `${modules.directory}/${name}` : undefined,
    parameters: moduleParameters(modules, moduleName(name)),
    lookup: undefined,
    after: undefined,
  }));
}

// One step per listed module, resolved with its dependencies by the handler in the root it then runs in.
function lookupSteps(modules: NonNullable<Modules>, phase: PhaseName, policy: FailurePolicy): Step[] {
  const parameters = { ...modules.parameters };
  return modules.names.map((request) => ({
    kind: 'loadModule' as const,
    phase,
    source: `/${phase}/modules`,
    policy,
    name: moduleName(request),
    path: undefined,
    parameters: moduleParameters(modules, moduleName(request)),
    lookup: { request, directory: modules.directory, depFilePath: modules.depFilePath, parameters, parallel: modules.parallel },
    after: undefined,
  }));
}

/** A sysctl value as /proc/sys takes it: the kernel parses integers, so a YAML boolean is 1 or 0, never `true`. */
export function sysctlValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

// A key as one JSON pointer token (RFC 6901).
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

// Module names are the user's: a module called `toString` has parameters only when the config gives it some.
function moduleParameters(modules: NonNullable<Modules>, name: string): string {
  return modules.parameters !== undefined && Object.hasOwn(modules.parameters, name) ? (modules.parameters[name] ?? '') : '';
}

export function hookStep(hook: Hook, phase: PhaseName, source: string): StepOf<'hook'> {
  if (typeof hook === 'string') return { kind: 'hook', phase, source, policy: abort, argv: ['/bin/sh', '-c', hook], input: undefined, timeoutMs: undefined };
  if (Array.isArray(hook)) return { kind: 'hook', phase, source, policy: abort, argv: [...hook], input: undefined, timeoutMs: undefined };
  return {
    kind: 'hook',
    phase,
    source,
    policy: policyOf(hook.onFailure ?? 'Abort', hook.retries, hook.retryDelay),
    argv: [hook.command, ...(hook.arguments ?? []).map(String)],
    input: hook.input,
    timeoutMs: hook.timeout === undefined ? undefined : parseDuration(hook.timeout),
  };
}

function switchRootSteps(config: Config): Step[] {
  const root = config.switchRoot!.rootFileSystem;
  const source = '/switchRoot/rootFileSystem';
  const call = mountCall(root);
  const direct = !root.overlay && root.target === '/';
  const steps: Step[] = [];
  const mountAt = direct ? NEW_ROOT : ROOT_MOUNT;
  steps.push({ kind: 'mount', phase: 'switchRoot', source, policy: abort, target: mountAt, ...call });
  const top = root.target === '/' ? ROOT_MOUNT : `${ROOT_MOUNT}${root.target}`;
  if (root.overlay) {
    steps.push({ kind: 'mount', phase: 'switchRoot', source: `${source}/overlay`, policy: abort, target: OVERLAY_TMPFS, fsType: 'tmpfs', device: 'tmpfs', flags: [], options: 'mode=0755', wait: undefined, idMap: undefined });
    steps.push({
      kind: 'mount',
      phase: 'switchRoot',
      source: `${source}/overlay`,
      policy: abort,
      target: NEW_ROOT,
      fsType: 'overlay',
      device: 'overlay',
      flags: call.flags.filter((flag) => flag !== 'MS_RDONLY'),
      options: `lowerdir=${top},upperdir=${OVERLAY_TMPFS}/upper,workdir=${OVERLAY_TMPFS}/work`,
      wait: undefined,
      idMap: undefined,
    });
  } else if (!direct) {
    steps.push({ kind: 'mount', phase: 'switchRoot', source: `${source}/target`, policy: abort, target: NEW_ROOT, fsType: 'none', device: top, flags: ['MS_BIND'], options: '', wait: undefined, idMap: undefined });
  }
  const mode: SwitchMode = config.switchRoot!.mode ?? 'move';
  // With mode none the handoff runs in the root we are in: that is where its programs must be.
  steps.push({ kind: 'checkHandoff', phase: 'switchRoot', source: '/postSwitch/handoff', policy: abort, root: mode === 'none' ? '/' : NEW_ROOT, programs: handoffPrograms(config.postSwitch.handoff) });
  const freeInitramfs = config.postSwitch.handoff.mode === 'exec' ? 'at-switch' : 'after-handoff';
  steps.push({ kind: 'switchRoot', phase: 'switchRoot', source: '/switchRoot', policy: abort, newRoot: NEW_ROOT, carryMounts: ['/dev', '/proc', '/sys', '/run'], mode, freeInitramfs });
  return steps;
}

function handoffPrograms(handoff: Handoff): string[] {
  const programs = handoff.mode === 'supervise' ? Object.values(handoff.processes).map((process) => process.program) : handoff.mode === 'none' ? [] : [handoff.program];
  return [...new Set(handoff.bootScript ? [handoff.bootScript.path, ...programs] : programs)];
}

function bootScriptStep(script: BootScript): Step {
  return {
    kind: 'bootScript',
    phase: 'postSwitch',
    source: '/postSwitch/handoff/bootScript',
    policy: policyOf(script.onFailure, script.retries, script.retryDelay),
    argv: [script.path, ...(script.arguments ?? []).map(String)],
    timeoutMs: script.timeout === undefined ? undefined : parseDuration(script.timeout),
  };
}

function handoffPlan(handoff: Handoff): HandoffPlan {
  switch (handoff.mode) {
    case 'exec':
      return { mode: 'exec', argv: [handoff.program, ...(handoff.arguments ?? []).map(String)] };
    case 'shell':
      return {
        mode: 'shell',
        argv: [handoff.program, ...(handoff.arguments ?? []).map(String)],
        onExit: handoff.onExit,
        terminal: handoff.terminal === undefined ? undefined : consolePath(handoff.terminal),
      };
    case 'supervise':
      return {
        mode: 'supervise',
        processes: Object.fromEntries(Object.entries(handoff.processes).map(([name, process]) => [name, { argv: [process.program, ...(process.arguments ?? []).map(String)] }])),
      };
    case 'none':
      return { mode: 'none' };
  }
}
