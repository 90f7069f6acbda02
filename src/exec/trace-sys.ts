// `logLevel: trace`: every call into the kernel boundary with its arguments and its result or error, on the log.
import type { Logger } from '../log/log';
import type { Sys } from '../sys/index';
import { nowMs } from '../clock';

// Bytes (a module image, a console write) are shown by size, bit masks in hex, bigints (device numbers) as numbers.
function replacer(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function') return `<function ${value.name}>`;
  if (typeof value === 'number' && /flags$/i.test(key) && Number.isInteger(value) && value > 9) return `0x${value.toString(16)}`;
  return value;
}

/** One value as a trace line shows it. */
export function traceValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array || typeof value === 'bigint' || typeof value === 'function') return String(replacer('', value));
  // JSON.stringify gives undefined only for what it cannot show (a symbol).
  return JSON.stringify(value, replacer) ?? `<${typeof value}>`;
}

/**
 * A Sys that logs each call at trace level before delegating to `sys` (so a call that blocks or execs is seen) and
 * its result or error after; below trace it only checks the level, read at each call so a later change counts.
 */
export function traceSys(sys: Sys, log: Logger): Sys {
  // A call made while a trace line is written (a log sink writing through this Sys) is not traced again.
  let writing = false;
  const trace = (line: string): void => {
    writing = true;
    try {
      log.trace(line);
    } finally {
      writing = false;
    }
  };
  const traced: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sys)) {
    if (typeof value !== 'function') {
      traced[name] = value;
      continue;
    }
    const call = value as (...args: unknown[]) => unknown;
    traced[name] = (...args: unknown[]): unknown => {
      if (log.level !== 'trace' || writing) return call.apply(sys, args);
      trace(`sys → ${name}(${args.map(traceValue).join(', ')})`);
      const started = nowMs();
      let result: unknown;
      try {
        result = call.apply(sys, args);
      } catch (error) {
        trace(`sys ← ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      const traceResult = (value: unknown): void => trace(`sys ← ${name} = ${traceValue(value)} (${(nowMs() - started).toFixed(2)}ms)`);
      // A call that runs on another thread (a module load) is traced when it ends, not when it is handed over.
      if (result instanceof Promise) {
        return result.then(
          (value: unknown) => (traceResult(value), value),
          (error: unknown) => {
            trace(`sys ← ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
            throw error;
          },
        );
      }
      traceResult(result);
      return result;
    };
  }
  return traced as unknown as Sys;
}
