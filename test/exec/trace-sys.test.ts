// traceSys: at trace level every Sys call is logged with its arguments and result or errno; below it, nothing.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/log';
import { traceSys } from '../../src/exec/trace-sys';
import { runSteps, type Handlers } from '../../src/exec/run-steps';
import { SysError, type Sys } from '../../src/sys/index';
import type { Step } from '../../src/plan/step';

function fakeSys(calls: string[]): Sys {
  return {
    mount: (spec) => void calls.push(`mount ${spec.target}`),
    umount: (spec) => {
      calls.push(`umount ${spec.target}`);
      throw new SysError({ syscall: 'umount2', errno: 16, args: { target: spec.target, flags: 0 } });
    },
    initModule: (image) => (calls.push(`initModule ${image.length}`), Promise.resolve('loaded')),
    finitModule: (spec) => (calls.push(`finitModule ${spec.path}`), Promise.reject(new SysError({ syscall: 'finit_module', errno: 2, args: { path: spec.path } }))),
    deviceOf: () => 0x803n,
  } as Partial<Sys> as Sys;
}

function memoryLog(level: 'trace' | 'debug') {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (text) => (lines.push(text.replace(/^\[[ \d.]+\] bootstrap: /, '').trimEnd()), true) }, level, () => 0) };
}

async function exercise(sys: Sys): Promise<void> {
  sys.mount({ source: 'proc', target: '/proc', fsType: 'proc', flags: 0x100e, data: null });
  expect(() => sys.umount({ target: '/busy' })).toThrow(SysError);
  // Calls that run on another thread are traced when they end: the next call's line comes first.
  const loading = sys.initModule(new Uint8Array(4096), 'debug=1');
  expect(sys.deviceOf('/')).toBe(0x803n);
  expect(await loading).toBe('loaded');
  await expect(sys.finitModule({ path: '/m/x.ko' })).rejects.toThrow(SysError);
}

describe('traceSys', () => {
  it('at trace level logs each call with its arguments, then its result or error', async () => {
    const calls: string[] = [];
    const { lines, log } = memoryLog('trace');
    await exercise(traceSys(fakeSys(calls), log));
    expect(calls).toEqual(['mount /proc', 'umount /busy', 'initModule 4096', 'finitModule /m/x.ko']);
    const shown = lines.map((line) => line.replace(/ \(\d+\.\d+ms\)$/, ''));
    expect(shown).toEqual([
      'trace: sys → mount({"source":"proc","target":"/proc","fsType":"proc","flags":"0x100e","data":null})',
      'trace: sys ← mount = undefined',
      'trace: sys → umount({"target":"/busy"})',
      'trace: sys ← umount failed: umount2(target="/busy", flags=0): EBUSY (Device or resource busy)',
      'trace: sys → initModule(<4096 bytes>, "debug=1")',
      'trace: sys → deviceOf("/")',
      'trace: sys ← deviceOf = 2051',
      'trace: sys ← initModule = "loaded"',
      'trace: sys → finitModule({"path":"/m/x.ko"})',
      'trace: sys ← finitModule failed: finit_module(path="/m/x.ko"): ENOENT (No such file or directory)',
    ]);
  });

  it('below trace logs nothing and still delegates; a later change of level counts', async () => {
    const calls: string[] = [];
    const { lines, log } = memoryLog('debug');
    const sys = traceSys(fakeSys(calls), log);
    await exercise(sys);
    expect(calls).toHaveLength(4);
    expect(lines).toEqual([]);
    log.level = 'trace';
    sys.mount({ target: '/x' });
    expect(lines).toHaveLength(2);
  });
});

describe('runSteps at trace level', () => {
  const step: Step = { kind: 'sysctl', phase: 'preSwitch', source: '/preSwitch/sysctl/a', policy: { onFailure: 'Abort', retries: 0, retryDelayMs: 0 }, key: 'a', value: '1' };
  const handlers = new Proxy({} as Handlers<null>, { get: () => () => undefined });

  it('logs each step in full', async () => {
    const { lines, log } = memoryLog('trace');
    await runSteps([step], handlers, null, { log });
    expect(lines).toContain(`trace: step 1 spec: ${JSON.stringify(step)}`);
  });

  it('not at debug level', async () => {
    const { lines, log } = memoryLog('debug');
    await runSteps([step], handlers, null, { log });
    expect(lines.some((line) => line.startsWith('trace:'))).toBe(false);
  });
});
