// Checks a schema-valid config for what a schema cannot see: contradictions and paths that cannot work.
import type { Config, Handoff, Hook, Mount, Phase } from './generated/config-types';
import { MAX_DIAGNOSTICS, type Finding } from './diagnostic';
import { virtualMounts } from '../plan/virtual-mounts';
import { dependencies, findCycle } from './dependency-graph';
import { idMapFindings } from './id-map-findings';
import { closest } from './suggest';
import { namespaceFindings } from './namespace-findings';
import { networkFindings } from './network-findings';
import { nfsFindings } from './nfs-findings';
import { subhostFindings } from './subhost-findings';

/** What lint may learn from the machine; absent on a host that cannot see the guest's files. */
export interface LintFacts {
  /** Reads a file of the target system, or returns undefined when it cannot be read. */
  readFile?: (path: string) => string | undefined;
  /** Checks the modules of a phase against the module tree `readFile` sees (wired in by the modules code). */
  checkModules?: (modules: NonNullable<Phase['modules']>, readFile: (path: string) => string | undefined, path: (string | number)[]) => Finding[];
}

/** Auto-mounted places a user mount would shadow, with the filesystem mounted there. */
const automaticMountPoints: ReadonlyMap<string, string> = new Map(virtualMounts.map((mount) => [mount.target, mount.fsType]));

/** Every finding about a config that passed the schema. */
export function lintConfig(config: Config, facts: LintFacts = {}): Finding[] {
  const findings: Finding[] = [];
  if (config.preSwitch) findings.push(...lintPhase(config.preSwitch, ['preSwitch'], facts));
  findings.push(...lintPhase(config.postSwitch, ['postSwitch'], facts));
  findings.push(...lintHandoff(config.postSwitch.handoff, ['postSwitch', 'handoff']));
  findings.push(...namespaceFindings(config), ...subhostFindings(config), ...networkFindings(config), ...nfsFindings(config));
  // A subhost's premount and postmount run on the host as a phase's hooks do, and are checked alike.
  for (const key of ['premount', 'postmount'] as const) {
    for (const [index, hook] of (config.subhost?.[key] ?? []).entries()) findings.push(...lintHook(hook, ['subhost', key, index]));
  }
  if (config.postSwitch.initctl && config.postSwitch.handoff.mode === 'exec') {
    findings.push({
      code: 'invalid-value',
      severity: 'error',
      path: ['postSwitch', 'initctl'],
      message: `initctl needs bootstrap to stay PID 1 to read /dev/initctl, and the exec handoff replaces it with ${config.postSwitch.handoff.program}, which then owns /dev/initctl (sysvinit makes its own); use mode shell, supervise or none, or remove \`initctl\``,
    });
  }
  const root = config.switchRoot?.rootFileSystem;
  if (root?.noExec) {
    findings.push({
      code: 'noexec-root',
      severity: 'error',
      path: ['switchRoot', 'rootFileSystem', 'noExec'],
      message: `the root is mounted noExec, so the ${config.postSwitch.handoff.mode} handoff (${handoffProgram(config.postSwitch.handoff)}) cannot be executed from it; remove \`noExec\``,
    });
  }
  return findings;
}

function handoffProgram(handoff: Handoff): string {
  if (handoff.mode === 'supervise') return `${Object.keys(handoff.processes).length} processes`;
  if (handoff.mode === 'none') return 'no program';
  return handoff.program;
}

function lintPhase(phase: Phase, path: (string | number)[], facts: LintFacts): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  for (const [index, mount] of (phase.mounts ?? []).entries()) {
    const at = [...path, 'mounts', index];
    const target = normalise(mount.target);
    const earlier = seen.get(target);
    if (earlier !== undefined) {
      findings.push({ code: 'duplicate-mount-target', severity: 'error', path: [...at, 'target'], message: `${target} is already the target of item ${earlier + 1} of \`mounts\`; a second mount would hide the first` });
    } else {
      seen.set(target, index);
    }
    findings.push(...lintMountTarget(mount, target, at));
    if (mount.type === 'bind' && mount.idMap) findings.push(...idMapFindings(mount.idMap, [...at, 'idMap']));
  }
  for (const [index, hook] of (phase.hooks ?? []).entries()) findings.push(...lintHook(hook, [...path, 'hooks', index]));
  for (const [key, value] of Object.entries(phase.sysctl ?? {})) {
    // The kernel parses sysctl numbers as integers. An integer too large to be exact is every number's finding (value-findings).
    if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
      findings.push({ code: 'invalid-value', severity: 'error', path: [...path, 'sysctl', key], message: `${value} is not an integer; the kernel takes whole numbers (quote it to write it as is)` });
    }
  }
  const modules = phase.modules;
  if (modules?.depFilePath && facts.readFile && facts.checkModules) findings.push(...facts.checkModules(modules, facts.readFile, [...path, 'modules']));
  return findings;
}

function lintMountTarget(mount: Mount, target: string, at: (string | number)[]): Finding[] {
  if (target === '/') {
    return [{ code: 'invalid-value', severity: 'error', path: [...at, 'target'], message: 'a mount on / would hide the whole root; the root is mounted by `switchRoot`' }];
  }
  const automatic = automaticMountPoints.get(target);
  if (automatic) {
    return [{ code: 'virtual-filesystem', severity: 'error', path: [...at, 'target'], message: `${target} is mounted automatically (${automatic}); remove this mount` }];
  }
  return [];
}

function lintHook(hook: Hook, path: (string | number)[]): Finding[] {
  if (typeof hook === 'string') return [];
  if (Array.isArray(hook)) return relativeHookProgram(hook[0], [...path, 0]);
  const findings: Finding[] = [];
  if (/\s/.test(hook.command) && (hook.arguments ?? []).length === 0) {
    findings.push({ code: 'command-with-spaces', severity: 'error', path: [...path, 'command'], message: `\`command\` is a program, not a command line: put its arguments in \`arguments\`, or write the hook as a plain string to run it with /bin/sh -c` });
  } else {
    findings.push(...relativeHookProgram(hook.command, [...path, 'command']));
  }
  if ((hook.retries !== undefined || hook.retryDelay !== undefined) && hook.onFailure !== 'Retry') {
    findings.push({ code: 'invalid-value', severity: 'warning', path: [...path, hook.retries !== undefined ? 'retries' : 'retryDelay'], at: 'key', message: 'retries and retryDelay only count with `onFailure: Retry`' });
  }
  return findings;
}

function relativeHookProgram(program: string, path: (string | number)[]): Finding[] {
  if (program.startsWith('/')) return [];
  if (!program.includes('/')) {
    return [{ code: 'relative-program', severity: 'warning', path, message: `\`${program}\` is looked up in PATH when the hook runs; an absolute path does not depend on it` }];
  }
  return [{ code: 'relative-program', severity: 'error', path, message: `\`${program}\` is a relative path, which depends on the working directory; use an absolute path` }];
}

function lintHandoff(handoff: Handoff, path: (string | number)[]): Finding[] {
  const findings: Finding[] = [];
  const absolute = (program: string, at: (string | number)[], what: string): void => {
    if (!program.startsWith('/')) {
      findings.push({ code: 'relative-program', severity: 'error', path: at, message: `${what} \`${program}\` must be an absolute path: it is checked in the new root before switching, and nothing searches PATH for it` });
    }
  };
  if (handoff.mode === 'supervise') {
    for (const [name, process] of Object.entries(handoff.processes)) absolute(process.program, [...path, 'processes', name, 'program'], `process ${name}'s program`);
    findings.push(...lintProcesses(handoff.processes, [...path, 'processes']));
  } else if (handoff.mode !== 'none') {
    absolute(handoff.program, [...path, 'program'], 'the handoff program');
  }
  if (handoff.bootScript) absolute(handoff.bootScript.path, [...path, 'bootScript', 'path'], 'the boot script');
  return findings;
}

function normalise(path: string): string {
  const trimmed = path.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? '/' : trimmed;
}

// The names for a message: a few, then how many more, so n messages about n names stay linear.
function someNames(names: readonly string[]): string {
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`;
}

type Processes = Extract<Handoff, { mode: 'supervise' }>['processes'];

// Dependencies that name no process or form a cycle, probes that check nothing or two things, two main services.
function lintProcesses(processes: Processes, path: (string | number)[]): Finding[] {
  const findings: Finding[] = [];
  // Process names are user-chosen: a Map, so `toString` is a process only when the config has one.
  const byName = new Map(Object.entries(processes));
  const names = [...byName.keys()];
  const graph = new Map<string, string[]>();
  let unknown = 0;
  for (const [name, process] of byName) {
    const wanted = dependencies(process);
    graph.set(name, [...wanted.keys()].filter((dependency) => dependency !== name));
    const listed = Array.isArray(process.dependsOn);
    for (const [index, [dependency, condition]] of [...wanted].entries()) {
      // A list is unique (the schema says so), so its n-th entry is the n-th item.
      const at = [...path, name, 'dependsOn', listed ? index : dependency];
      const target = byName.get(dependency);
      if (dependency === name) {
        findings.push({ code: 'dependency-cycle', severity: 'error', path: at, message: `${name} depends on itself` });
      } else if (target === undefined) {
        // A hint costs a comparison with every name: only the first MAX_DIAGNOSTICS can be listed, so only they get one.
        const guess = unknown++ < MAX_DIAGNOSTICS ? closest(dependency, names) : undefined;
        findings.push({ code: 'unknown-dependency', severity: 'error', path: at, at: listed ? 'value' : 'key', message: `${name} depends on ${dependency}, which is not a process here${guess ? `; did you mean ${guess}?` : `; processes: ${someNames(names)}`}` });
      } else if ((condition === 'completed' || condition === 'completedSuccessfully') && target.type === 'longrun') {
        findings.push({ code: 'invalid-value', severity: 'warning', path: at, message: `${dependency} is a longrun service: ${name} waits for it to complete, which happens only if it exits` });
      }
    }
    for (const kind of ['readiness', 'liveness'] as const) {
      const probe = process[kind];
      if (!probe) continue;
      const checks = (['exec', 'tcp', 'http'] as const).filter((check) => probe[check] !== undefined);
      if (checks.length !== 1) {
        findings.push({ code: 'invalid-value', severity: 'error', path: [...path, name, kind], message: `a ${kind} probe checks one thing: give exactly one of exec, tcp, http${checks.length ? ` (not ${checks.join(' and ')})` : ''}` });
      }
    }
  }
  const cycle = findCycle(graph);
  if (cycle) findings.push({ code: 'dependency-cycle', severity: 'error', path: [...path, cycle[0]!, 'dependsOn'], message: `dependency cycle: ${cycle.join(' -> ')}` });
  const mains = names.filter((name) => byName.get(name)!.main);
  if (mains.length > 1) findings.push({ code: 'invalid-value', severity: 'error', path: [...path, mains[1]!, 'main'], message: `only one process can be main (${mains.join(' and ')} are)` });
  return findings;
}
