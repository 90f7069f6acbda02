// Readiness and liveness checks of a service: run a command, connect to a TCP port, or GET an HTTP path, on a period.
import { net } from '../sys/builtins';
import type { Children } from '../exec/children';
import { runCommand } from '../exec/run-command';
import type { Sys } from '../sys/index';
import type { ProbeSettings } from './service-settings';

/** What an exec check needs to run its command as the service would. */
export interface ProbeContext {
  children: Children;
  sys: Sys;
  env: Readonly<Record<string, string>>;
  cwd: string;
}

// An exec check that outlived its timeout gets SIGTERM, and SIGKILL this much later.
const EXEC_KILL_GRACE_MS = 500;

/** Runs one check; resolves true when it passed within `timeoutMs`, never rejects. */
export async function checkOnce(check: ProbeSettings['check'], timeoutMs: number, context: ProbeContext): Promise<boolean> {
  try {
    if (check.kind === 'exec') {
      const result = await runCommand(context.children, context.sys, { argv: check.argv, env: context.env, cwd: context.cwd, timeoutMs, killGraceMs: EXEC_KILL_GRACE_MS, stdout: 'null', stderr: 'null' });
      return !result.timedOut && 'exitCode' in result.exit && result.exit.exitCode === 0;
    }
    if (check.kind === 'tcp') return await connects(check.host, check.port, timeoutMs);
    return await answers(check.host, check.port, check.path, timeoutMs);
  } catch {
    // A command not found is a failed check, not a supervisor error.
    return false;
  }
}

function connects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net().connect({ host, port });
    const done = (passed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(passed);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function answers(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  // Loaded on first use: a supervisor without HTTP checks does not keep Node's HTTP client in memory.
  const { get } = await import('node:http');
  return new Promise((resolve) => {
    const request = get({ host, port, path, agent: false }, (response) => {
      response.resume();
      done((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 400);
    });
    const done = (passed: boolean): void => {
      clearTimeout(timer);
      request.destroy();
      resolve(passed);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    request.once('error', () => done(false));
  });
}

/**
 * Runs `settings`' check after its initial delay and then every period (a period counts from the end of
 * the previous check, so checks never overlap), reporting each result, until the returned stop is called.
 */
export function startProbe(settings: ProbeSettings, context: ProbeContext, onResult: (passed: boolean) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const round = async (): Promise<void> => {
    const passed = await checkOnce(settings.check, settings.timeoutMs, context);
    if (stopped) return;
    onResult(passed);
    if (!stopped) timer = setTimeout(() => void round(), settings.periodMs);
  };
  timer = setTimeout(() => void round(), settings.initialDelayMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
