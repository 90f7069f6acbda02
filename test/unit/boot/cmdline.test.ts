// Kernel command line: bootstrap.* arguments, quoting, and warnings for what cannot be used.
import { describe, expect, it } from 'vitest';
import { parseCmdline, splitCmdline } from '../../../src/boot/cmdline';
import { DEFAULT_CONFIG_PATH } from '../../../src/config/default-path';

describe('kernel command line', () => {
  it('splits on spaces and keeps quoted groups', () => {
    expect(splitCmdline('console=ttyS0  root="a b" quiet\n')).toEqual(['console=ttyS0', 'root=a b', 'quiet']);
  });

  it('separates words at the C locale\'s spaces only, as the kernel does, and keeps everything after the first =', () => {
    expect(splitCmdline('\ta=1\vb=2\fc=3\rd=4')).toEqual(['a=1', 'b=2', 'c=3', 'd=4']);
    // A no-break space is part of a word for the kernel (it compares bytes with isspace()).
    expect(splitCmdline('a=x\u00a0y b')).toEqual(['a=x\u00a0y', 'b']);
    expect(parseCmdline('bootstrap.config=/etc/a=b.yaml bootstrap.log').configPath).toBe('/etc/a=b.yaml');
    expect(parseCmdline('bootstrap.log').warnings).toEqual(['ignoring bootstrap.log=: expected one of trace, debug, info, warn, error']);
  });

  it('reads config, log level and break point', () => {
    expect(parseCmdline('quiet bootstrap.config=/etc/x.yaml bootstrap.log=debug bootstrap.break=postSwitch')).toEqual({
      configPath: '/etc/x.yaml',
      logLevel: 'debug',
      breakBefore: 'postSwitch',
      testFault: undefined,
      testInitctlPath: undefined,
      ip: undefined,
      warnings: [],
    });
  });

  it('bootstrap.test.initctl takes an absolute path for the tests\' initctl FIFO, and warns about a relative one', () => {
    expect(parseCmdline('bootstrap.test.initctl=/tmp/x/initctl').testInitctlPath).toBe('/tmp/x/initctl');
    expect(parseCmdline('bootstrap.test.initctl=initctl')).toMatchObject({ testInitctlPath: undefined, warnings: ['ignoring bootstrap.test.initctl=initctl: the path must be absolute'] });
  });

  it('defaults, and a bare bootstrap.break stops before preSwitch', () => {
    expect(parseCmdline('')).toMatchObject({ configPath: DEFAULT_CONFIG_PATH, logLevel: undefined, breakBefore: undefined });
    expect(parseCmdline('bootstrap.break').breakBefore).toBe('preSwitch');
  });

  it('warns about values it cannot use instead of guessing', () => {
    const args = parseCmdline('bootstrap.config=relative.yaml bootstrap.log=loud bootstrap.break=later bootstrap.colour=red');
    expect(args.configPath).toBe(DEFAULT_CONFIG_PATH);
    expect(args.logLevel).toBeUndefined();
    expect(args.warnings).toEqual([
      'ignoring bootstrap.config=relative.yaml: the path must be absolute',
      'ignoring bootstrap.log=loud: expected one of trace, debug, info, warn, error',
      'ignoring bootstrap.break=later: expected one of preSwitch, switchRoot, postSwitch',
      'ignoring unknown kernel argument bootstrap.colour',
    ]);
  });

  it('takes the test fault switch only with a known kind', () => {
    expect(parseCmdline('bootstrap.test.fault=uncaught').testFault).toBe('uncaught');
    expect(parseCmdline('bootstrap.test.fault=rejection').testFault).toBe('rejection');
    expect(parseCmdline('bootstrap.test.fault=segv').testFault).toBeUndefined();
  });
});
