// Reads the kernel command line (/proc/cmdline text) for what bootstrap takes from it.
import { DEFAULT_CONFIG_PATH } from '../config/default-path';
import type { LogLevel } from '../config/generated/config-types';
import { IP_OFF, parseIpArgument, type IpArgument } from '../net/ip-argument';

export type BreakPoint = 'preSwitch' | 'switchRoot' | 'postSwitch';

/** What the kernel arguments ask of bootstrap. */
export interface BootArguments {
  /** bootstrap.config=PATH, else the default path. */
  configPath: string;
  /** bootstrap.log=LEVEL: overrides the config's logLevel. */
  logLevel: LogLevel | undefined;
  /** bootstrap.break=PHASE: a shell before that phase, like dracut's rd.break. */
  breakBefore: BreakPoint | undefined;
  /** bootstrap.test.fault=uncaught|rejection: an injected bug, for tests of the last-resort path only. */
  testFault: 'uncaught' | 'rejection' | undefined;
  /** bootstrap.test.initctl=PATH: the initctl FIFO there instead of /dev/initctl, for tests only (a test's /dev is the host's devtmpfs). */
  testInitctlPath: string | undefined;
  /** ip=: one interface configured as the argument says, in place of the config's `network.ethernets`; undefined for ip=off. */
  ip: IpArgument | undefined;
  /** Arguments bootstrap understood but could not use, in words, to log at start. */
  warnings: string[];
}

const logLevels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const breakPoints: readonly BreakPoint[] = ['preSwitch', 'switchRoot', 'postSwitch'];

// isspace() in the C locale, as the kernel's next_arg() uses: space, \t, \n, \v, \f, \r.
function isKernelSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * Splits a command line the way the kernel does: spaces separate, double quotes group. Plain character codes, no
 * regular expression: PID 1 runs this before V8's compilers are back, where every regular expression is interpreted.
 */
export function splitCmdline(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      quoted = !quoted;
      started = true;
    } else if (isKernelSpace(code) && !quoted) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += text[index];
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

/** The bootstrap.* arguments of a kernel command line. */
export function parseCmdline(text: string): BootArguments {
  const result: BootArguments = { configPath: DEFAULT_CONFIG_PATH, logLevel: undefined, breakBefore: undefined, testFault: undefined, testInitctlPath: undefined, ip: undefined, warnings: [] };
  for (const word of splitCmdline(text)) {
    const equals = word.indexOf('=');
    const key = equals < 0 ? word : word.slice(0, equals);
    const value = equals < 0 ? '' : word.slice(equals + 1);
    switch (key) {
      case 'bootstrap.config':
        if (value.startsWith('/')) result.configPath = value;
        else result.warnings.push(`ignoring bootstrap.config=${value}: the path must be absolute`);
        break;
      case 'bootstrap.log':
        if ((logLevels as string[]).includes(value)) result.logLevel = value as LogLevel;
        else result.warnings.push(`ignoring bootstrap.log=${value}: expected one of ${logLevels.join(', ')}`);
        break;
      case 'bootstrap.break':
        // rd.break-style: a bare bootstrap.break stops before preSwitch's first step.
        if (value === '') result.breakBefore = 'preSwitch';
        else if ((breakPoints as string[]).includes(value)) result.breakBefore = value as BreakPoint;
        else result.warnings.push(`ignoring bootstrap.break=${value}: expected one of ${breakPoints.join(', ')}`);
        break;
      case 'bootstrap.test.fault':
        if (value === 'uncaught' || value === 'rejection') result.testFault = value;
        break;
      case 'bootstrap.test.initctl':
        if (value.startsWith('/')) result.testInitctlPath = value;
        else result.warnings.push(`ignoring bootstrap.test.initctl=${value}: the path must be absolute`);
        break;
      case 'ip':
      case 'nfsaddrs':
        result.ip = ipArgument(value, result.warnings);
        break;
      default:
        if (key.startsWith('bootstrap.')) result.warnings.push(`ignoring unknown kernel argument ${key}`);
    }
  }
  return result;
}

// The last ip= counts, as in the kernel; one that cannot be used is ignored with a warning, like bootstrap.* ones.
function ipArgument(value: string, warnings: string[]): IpArgument | undefined {
  try {
    const parsed = parseIpArgument(value);
    return parsed === IP_OFF ? undefined : parsed;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    warnings.push(`ignoring ${error.message}`);
    return undefined;
  }
}
