// A validated `processes.<name>` entry turned into what the supervisor acts on: milliseconds, bytes, signals, argv.
import { constants } from 'node:os';
import { dependencies, type Condition } from '../config/dependency-graph';
import { parseDuration } from '../config/duration';
import type { Process, Probe } from '../config/generated/config-types';
import { execAsArgv, resolveIdentity } from './identity';

/** A health check with its timings in milliseconds. */
export interface ProbeSettings {
  check: { kind: 'exec'; argv: string[] } | { kind: 'tcp'; host: string; port: number } | { kind: 'http'; host: string; port: number; path: string };
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
  initialDelayMs: number;
}

/** Where one output stream of a service goes. */
export type OutputSettings = { kind: 'console' } | { kind: 'null' } | { kind: 'file'; file: string; maxSize: number; maxFiles: number };

/** Everything the supervisor needs about one service, parsed once. */
export interface ServiceSettings {
  name: string;
  path: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  type: 'longrun' | 'oneshot';
  main: boolean;
  restart: 'never' | 'onFailure' | 'always';
  backoff: { initialMs: number; maxMs: number; factor: number };
  startLimit: { count: number; intervalMs: number };
  onFailed: Process['onFailed'];
  /** Dependency name → condition; a Map, as names are user-chosen. */
  dependsOn: ReadonlyMap<string, Condition>;
  readiness: ProbeSettings | null;
  liveness: ProbeSettings | null;
  stdout: OutputSettings;
  stderr: OutputSettings;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  /** Why the service cannot be started by this version, or null. */
  unsupported: string | null;
}

const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
const DEFAULT_MAX_FILES = 3;
const sizeUnits: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes of a size as the schema accepts it: "512", "512k", "10M", "1G" (powers of 1024). */
export function parseSize(text: string): number {
  const match = /^([0-9]+)([kKmMgG]?)$/.exec(text);
  if (!match) throw new Error(`not a size: ${JSON.stringify(text)} (write "512k", "10M" or "1G")`);
  return Number(match[1]) * (sizeUnits[match[2]!.toLowerCase()] ?? 1);
}

/** `SIGTERM` for "TERM" or "SIGTERM"; throws naming the service for a signal Node does not know. */
export function signalOf(name: string, text: string): NodeJS.Signals {
  const full = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  if (!Object.hasOwn(constants.signals, full)) throw new Error(`process ${name}: stopSignal ${JSON.stringify(text)} is not a signal name`);
  return full as NodeJS.Signals;
}

function probeSettings(probe: Probe | undefined): ProbeSettings | null {
  if (probe === undefined) return null;
  const timings = { periodMs: parseDuration(probe.period), timeoutMs: parseDuration(probe.timeout), failureThreshold: probe.failureThreshold, initialDelayMs: parseDuration(probe.initialDelay) };
  if (probe.exec) return { check: { kind: 'exec', argv: [probe.exec.command, ...(probe.exec.arguments ?? []).map(String)] }, ...timings };
  if (probe.tcp) return { check: { kind: 'tcp', host: probe.tcp.host, port: probe.tcp.port }, ...timings };
  if (probe.http) return { check: { kind: 'http', host: probe.http.host, port: probe.http.port, path: probe.http.path }, ...timings };
  return null;
}

function outputSettings(output: Process['stdout']): OutputSettings {
  if (output === 'console' || output === 'null') return { kind: output };
  return { kind: 'file', file: output.file, maxSize: output.maxSize === undefined ? DEFAULT_MAX_SIZE : parseSize(output.maxSize), maxFiles: output.maxFiles ?? DEFAULT_MAX_FILES };
}

/** The settings of service `name`: `env` is the supervisor's environment, which the service's own `environment` overrides. */
export function serviceSettings(name: string, process: Process, env: Readonly<Record<string, string>>): ServiceSettings {
  const own = Object.entries(process.environment ?? {}).map(([key, value]) => [key, String(value)] as const);
  const args = (process.arguments ?? []).map(String);
  // posix_spawn cannot change the user: a service with user/group starts through bootstrap's __exec-as.
  const identity = process.user !== undefined || process.group !== undefined ? resolveIdentity(process.user, process.group) : undefined;
  const unsupported = typeof identity === 'string' ? `process ${name}: ${identity}` : null;
  const argv = identity !== undefined && typeof identity !== 'string' ? execAsArgv(identity, process.program, args) : [process.program, ...args];
  return {
    name,
    path: argv[0]!,
    argv,
    env: { ...env, ...Object.fromEntries(own) },
    cwd: process.workingDirectory,
    type: process.type,
    main: process.main,
    restart: process.restart ?? (process.type === 'longrun' ? 'always' : 'never'),
    backoff: { initialMs: parseDuration(process.backoff.initial), maxMs: parseDuration(process.backoff.max), factor: process.backoff.factor },
    startLimit: { count: process.startLimit.count, intervalMs: parseDuration(process.startLimit.interval) },
    onFailed: process.onFailed,
    dependsOn: dependencies(process),
    readiness: probeSettings(process.readiness),
    liveness: probeSettings(process.liveness),
    stdout: outputSettings(process.stdout),
    stderr: outputSettings(process.stderr),
    stopSignal: signalOf(name, process.stopSignal),
    stopTimeoutMs: parseDuration(process.stopTimeout),
    unsupported,
  };
}
