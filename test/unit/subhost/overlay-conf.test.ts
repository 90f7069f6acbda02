// overlay-boot `.conf` files: the manual's own examples, defaults, `!commands` (fake and real), and every error class.
import { describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../../src/subhost/conf-command';
import { formatConfDiagnostic, parseOverlayConf, type ConfDiagnostic, type ParseOverlayConfOptions } from '../../../src/subhost/overlay-conf';

const noCommands = (command: string): CommandOutput => {
  throw new Error(`no command expected, got ${command}`);
};
const parse = (text: string, file = '/opt/subhost/tiny/tiny.conf', runCommand: ParseOverlayConfOptions['runCommand'] = noCommands) => parseOverlayConf(text, { file, runCommand });
const only = (text: string, file?: string): ConfDiagnostic => {
  const { conf, diagnostics } = parse(text, file);
  expect(conf).toBeUndefined();
  expect(diagnostics).toHaveLength(1);
  return diagnostics[0]!;
};

describe('the examples in overlay-boot(8) and the project README', () => {
  it('"smallest possible": BASE=. in /ex1/ex1.conf (README: echo BASE=. > /ex1/ex1.conf)', () => {
    const { conf, diagnostics } = parse('BASE=.\n', '/ex1/ex1.conf');
    expect(diagnostics).toEqual([]);
    expect(conf).toEqual({
      file: '/ex1/ex1.conf',
      name: 'ex1',
      base: '/ex1',
      live: '/ex1/live',
      upper: '/ex1/root',
      work: '/ex1/work',
      lower: '/',
      rootSetup: 'overlay',
      premount: undefined,
      postmount: undefined,
      init: undefined,
      start: undefined,
      cables: [],
      share: [],
      ramSize: undefined,
      log: undefined,
      sources: new Map([['BASE', { line: 1 }]]),
    });
  });

  it('"smallest possible": /opt/subhost/copy/copy.conf written by the heredoc', () => {
    const { conf } = parse('BASE=.\n', '/opt/subhost/copy/copy.conf');
    expect(conf).toMatchObject({ name: 'copy', base: '/opt/subhost/copy', live: '/opt/subhost/copy/live', lower: '/' });
  });

  // The manual shows these files flattened onto one line; they are one assignment a line, as written here.
  it('/opt/subhost/tiny/tiny.conf: one cable with neither bridge nor MAC, no services, LOWER under BASE', () => {
    const { conf, diagnostics } = parse('BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n', '/opt/subhost/tiny/tiny.conf');
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({ name: 'tiny', base: '/opt/subhost/tiny', cables: [{}], start: [], lower: '/opt/subhost/tiny/base', rootSetup: 'overlay' });
  });

  it('/opt/subhost/mta/mta.conf: a cable to the host and six services, overlaying /', () => {
    const { conf, diagnostics } = parse('BASE=.\nCABLES= =\nSTART= rsyslog networking ssh saslauthd postfix dovecot\n', '/opt/subhost/mta/mta.conf');
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({
      name: 'mta',
      live: '/opt/subhost/mta/live',
      upper: '/opt/subhost/mta/root',
      work: '/opt/subhost/mta/work',
      lower: '/',
      cables: [{}],
      start: ['rsyslog', 'networking', 'ssh', 'saslauthd', 'postfix', 'dovecot'],
    });
  });
});

describe('defaults and paths', () => {
  it('BASE is relative to the file\'s directory; absolute BASE stays', () => {
    expect(parse('BASE=../shared/x\n', '/etc/subhosts/a.conf').conf?.base).toBe('/etc/shared/x');
    expect(parse('BASE=/srv/a/\n', '/etc/subhosts/a.conf').conf).toMatchObject({ base: '/srv/a', live: '/srv/a/live' });
  });

  it('relative LIVE, UPPER, WORK and LOWER are under BASE; absolute ones stay', () => {
    const { conf } = parse('BASE=/srv/a\nLIVE=mnt\nUPPER=/data/up\nWORK=/data/wk\nLOWER=../lower\n', '/etc/a.conf');
    expect(conf).toMatchObject({ live: '/srv/a/mnt', upper: '/data/up', work: '/data/wk', lower: '/srv/lower' });
  });

  it('NAME overrides the file name', () => {
    expect(parse('NAME=web1\nBASE=.\n', '/etc/a.conf').conf?.name).toBe('web1');
  });

  it('root setup follows the manual: overlay, bind when UPPER is LOWER, LIVE as it is when all three are one', () => {
    expect(parse('BASE=/s\nUPPER=/r\nLOWER=/r\n').conf?.rootSetup).toBe('bind');
    expect(parse('BASE=/s\nUPPER=/r\nLOWER=/r\nLIVE=/r\n').conf?.rootSetup).toBe('live');
  });

  it('commands, RAM_SIZE, LOG and SHARE are kept', () => {
    const { conf, diagnostics } = parse('BASE=.\nPREMOUNT=mount /dev/vg/a $BASE/root\nPOSTMOUNT=touch x\nINIT=/sbin/x --y\nRAM_SIZE=512M\nLOG=/var/log/a.log\nSHARE=/srv/data /home/\n');
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({ premount: 'mount /dev/vg/a $BASE/root', postmount: 'touch x', init: '/sbin/x --y', ramSize: '512M', log: '/var/log/a.log', share: [{ path: '/srv/data' }, { path: '/home' }] });
  });
});

describe('line handling', () => {
  it('CRLF endings, a missing final newline, blank lines and # comments', () => {
    const { conf, diagnostics } = parse('# a subhost\r\n\r\nBASE=.\r\n   \r\nSTART=ssh');
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({ base: '/opt/subhost/tiny', start: ['ssh'] });
  });

  it('an indented line is malformed, with its line', () => {
    expect(only('BASE=.\n  START=ssh\n')).toMatchObject({ line: 2, code: 'malformed-line', severity: 'error' });
    expect(only('BASE=.\n\t# indented comment\n')).toMatchObject({ line: 2, code: 'malformed-line' });
  });

  it('a line with no "=" is malformed', () => {
    expect(only('BASE=.\nSTART\n')).toMatchObject({ line: 2, code: 'malformed-line' });
  });

  it('a lower-case or spaced name is malformed, with a suggestion', () => {
    const lower = only('base=.\n');
    expect(lower).toMatchObject({ line: 1, code: 'malformed-line' });
    expect(lower.message).toContain('did you mean BASE?');
    expect(only('BASE = .\n')).toMatchObject({ line: 1, code: 'malformed-line' });
  });

  it('an unknown variable names its line and the near one', () => {
    const d = only('BASE=.\n\nCABLE= =\n');
    expect(d).toMatchObject({ line: 3, code: 'unknown-variable' });
    expect(d.message).toContain('did you mean CABLES?');
    expect(only('BASE=.\nRAMSIZE=1G\n').message).toContain('did you mean RAM_SIZE?');
    expect(only('BASE=.\nFROBNICATE=1\n').message).not.toContain('did you mean');
  });

  it('a variable set twice is an error on the second line naming the first', () => {
    const d = only('BASE=.\nSTART=ssh\n# again\nSTART=none\n');
    expect(d).toMatchObject({ line: 4, code: 'duplicate-variable' });
    expect(d.message).toContain('line 2');
  });

  it('all structural errors are reported together', () => {
    const { diagnostics } = parse(' X=1\nfoo\nBASE=.\nBASE=.\nNOPE=1\n');
    expect(diagnostics.map((d) => [d.line, d.code])).toEqual([
      [1, 'malformed-line'],
      [2, 'malformed-line'],
      [4, 'duplicate-variable'],
      [5, 'unknown-variable'],
    ]);
  });

  it('a missing BASE is an error about the file', () => {
    expect(only('START=none\n')).toMatchObject({ line: 0, code: 'missing-variable' });
    expect(only('')).toMatchObject({ line: 0, code: 'missing-variable' });
  });

  it('formats as validate formats a YAML finding, without a column: file:line: severity code: message', () => {
    expect(formatConfDiagnostic('/a.conf', { line: 3, severity: 'error', code: 'unknown-variable', message: 'X' })).toBe('/a.conf:3: error unknown-variable: X');
    expect(formatConfDiagnostic('/a.conf', { line: 0, severity: 'error', code: 'missing-variable', message: 'Y' })).toBe('/a.conf: error missing-variable: Y');
  });
});

describe('names from Object.prototype are data or errors, never keys', () => {
  it('as variable names', () => {
    expect(only('BASE=.\ntoString=x\n')).toMatchObject({ line: 2, code: 'malformed-line' });
    expect(only('BASE=.\n__proto__=x\n')).toMatchObject({ line: 2, code: 'malformed-line' });
    expect(only('BASE=.\n__PROTO__=x\n')).toMatchObject({ line: 2, code: 'unknown-variable' });
    expect(only('BASE=.\nCONSTRUCTOR=x\n')).toMatchObject({ line: 2, code: 'unknown-variable' });
  });

  it('as values', () => {
    const { conf, diagnostics } = parse('NAME=toString\nBASE=__proto__\nSTART=constructor __proto__ hasOwnProperty\nCABLES=__proto__= toString=.7\n', '/s/a.conf');
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({ name: 'toString', base: '/s/__proto__', start: ['constructor', '__proto__', 'hasOwnProperty'], cables: [{ bridge: '__proto__' }, { bridge: 'toString', vlan: 7 }] });
  });

  it('a file named constructor.conf gives NAME constructor; __proto__.conf gives no valid NAME, an error not a crash', () => {
    expect(parse('BASE=.\n', '/s/constructor.conf').conf?.name).toBe('constructor');
    expect(only('BASE=.\n', '/s/__proto__.conf')).toMatchObject({ line: 0, code: 'invalid-value' });
  });
});

describe('!command values (fake runner)', () => {
  const fake = (outputs: Map<string, CommandOutput>) => {
    const calls: [string, number][] = [];
    const runCommand = (command: string, line: number): CommandOutput => {
      calls.push([command, line]);
      return outputs.get(command) ?? { ok: false, reason: 'unknown command' };
    };
    return { calls, runCommand };
  };

  it('the output, trailing newlines trimmed as $(...) does, becomes the value; commands run in file order with their lines', () => {
    const { calls, runCommand } = fake(new Map<string, CommandOutput>([
      ['hostname -s', { ok: true, stdout: 'web1\n\n' }],
      ['cat services', { ok: true, stdout: 'ssh  cron\n' }],
    ]));
    const { conf, diagnostics } = parse('NAME=! hostname -s\nBASE=.\nSTART=!cat services\n', '/s/a.conf', runCommand);
    expect(diagnostics).toEqual([]);
    expect(conf).toMatchObject({ name: 'web1', start: ['ssh', 'cron'] });
    expect(calls).toEqual([['hostname -s', 1], ['cat services', 3]]);
    // Where each value came from, commands as written after the "!", for an importer to say so.
    expect(conf?.sources).toEqual(new Map([['NAME', { line: 1, command: 'hostname -s' }], ['BASE', { line: 2 }], ['START', { line: 3, command: 'cat services' }]]));
  });

  it('a failing command is an error naming its line and the reason, and later commands do not run', () => {
    const { calls, runCommand } = fake(new Map<string, CommandOutput>([['false', { ok: false, reason: 'exited with status 1' }]]));
    const { conf, diagnostics } = parse('BASE=.\nLIVE=!false\nUPPER=!echo never\n', '/s/a.conf', runCommand);
    expect(conf).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 2, code: 'command-failed' });
    expect(diagnostics[0]!.message).toContain('exited with status 1');
    expect(calls).toEqual([['false', 2]]);
  });

  it('no command runs in a file with a structural error', () => {
    const { calls, runCommand } = fake(new Map());
    const { diagnostics } = parse('BASE=!pwd\nBOGUS=1\n', '/s/a.conf', runCommand);
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown-variable']);
    expect(calls).toEqual([]);
  });

  it('an empty command, or output of more than one line, is an invalid value', () => {
    expect(only('BASE=!\n')).toMatchObject({ line: 1, code: 'invalid-value' });
    const { runCommand } = fake(new Map<string, CommandOutput>([['two', { ok: true, stdout: 'a\nb\n' }]]));
    const { diagnostics } = parse('BASE=.\nSTART=!two\n', '/s/a.conf', runCommand);
    expect(diagnostics).toMatchObject([{ line: 2, code: 'invalid-value' }]);
  });

  it('the output is checked like a written value', () => {
    const { runCommand } = fake(new Map<string, CommandOutput>([['mac', { ok: true, stdout: 'br0=zz:00:00:00:00:00\n' }]]));
    expect(parse('BASE=.\nCABLES=!mac\n', '/s/a.conf', runCommand).diagnostics).toMatchObject([{ line: 2, code: 'invalid-value' }]);
  });
});

describe('values', () => {
  const valueError = (text: string, line = 2): string => {
    const d = only(`BASE=.\n${text}\n`);
    expect(d).toMatchObject({ line, code: 'invalid-value' });
    return d.message;
  };

  it('CABLES: bridge, MAC (lower-cased), VLAN, neither', () => {
    const { conf } = parse('BASE=.\nCABLES=br0= =02:AB:00:00:00:01 br1=02:00:00:00:00:02 =.302  =.4095\n');
    expect(conf?.cables).toEqual([{ bridge: 'br0' }, { mac: '02:ab:00:00:00:01' }, { bridge: 'br1', mac: '02:00:00:00:00:02' }, { vlan: 302 }, { vlan: 4095 }]);
    // Where a VLAN may go (after a cable, without a bridge) is the config's check, on subhost.cables.
    expect(parse('BASE=.\nCABLES==.302 br0=.7\n').conf?.cables).toEqual([{ vlan: 302 }, { bridge: 'br0', vlan: 7 }]);
    expect(parse('BASE=.\nCABLES=\n').conf?.cables).toEqual([]);
  });

  it('CABLES: each bad specifier names itself', () => {
    expect(valueError('CABLES=br0')).toContain('no "="');
    expect(valueError('CABLES=br0==')).toContain('more than one');
    expect(valueError('CABLES= = br0=02:00:00:00:00')).toContain('cable 1');
    expect(valueError('CABLES=br0=01:00:5e:00:00:01')).toContain('multicast');
    expect(valueError('CABLES=br0=00:00:00:00:00:00')).toContain('all zeros');
    expect(valueError('CABLES=eth0=.0')).toContain('1 to 4095');
    expect(valueError('CABLES=eth0=.4096')).toContain('1 to 4095');
    expect(valueError('CABLES=eth0=.0302')).toContain('1 to 4095');
    expect(valueError('CABLES=eth0=.x')).toContain('1 to 4095');
    expect(valueError('CABLES=a-very-long-bridge=')).toContain('not an interface name');
    expect(valueError('CABLES=br/0=')).toContain('not an interface name');
  });

  it('START: none, names, and the mistakes', () => {
    expect(parse('BASE=.\nSTART=none\n').conf?.start).toEqual([]);
    expect(valueError('START=')).toContain('START=none');
    expect(valueError('START=ssh none')).toContain('mixes');
    expect(valueError('START=ssh ssh')).toContain('twice');
    expect(valueError('START=../../bin/sh')).toContain('not a service name');
  });

  it('RAM_SIZE: tmpfs sizes only', () => {
    for (const size of ['1G', '512M', '512m', '65536', '100k', '50%', '100%']) expect(parse(`BASE=.\nRAM_SIZE=${size}\n`).conf?.ramSize).toBe(size);
    for (const size of ['', '1GB', '0', '0M', '1.5G', '-1G', '101%', 'lots']) valueError(`RAM_SIZE=${size}`);
  });

  it('SHARE: absolute, distinct, not /', () => {
    expect(valueError('SHARE=data')).toContain('not an absolute path');
    expect(valueError('SHARE=/')).toContain('whole host');
    expect(valueError('SHARE=/a /a/')).toContain('twice');
    expect(parse('BASE=.\nSHARE=\n').conf?.share).toEqual([]);
  });

  it('paths: not empty, no $ or `, no : or ,', () => {
    const empty = only('BASE=\n');
    expect(empty).toMatchObject({ line: 1, code: 'invalid-value' });
    expect(empty.message).toContain('empty');
    expect(valueError('LIVE=$BASE/live')).toContain('!command');
    expect(valueError('LOWER=/a:/b')).toContain('overlayfs');
    expect(valueError('UPPER=/a,b')).toContain('overlayfs');
    expect(valueError('LOG=overlay.log')).toContain('absolute');
  });

  it('NAME: 1-12 of letters, digits, _ and -; the default from a bad file name is an error about the file', () => {
    expect(valueError('NAME=thirteen-char', 2)).toContain('not a subhost name');
    expect(valueError('NAME=a.b', 2)).toContain('not a subhost name');
    expect(only('BASE=.\n', '/s/my.sub.host.conf')).toMatchObject({ line: 0, code: 'invalid-value' });
  });

  it('commands: kept as written, but not empty', () => {
    expect(valueError('PREMOUNT=')).toContain('empty');
    expect(valueError('INIT=')).toContain('empty');
  });

  it('WORK must lie outside UPPER for an overlay, but not for a bind mount', () => {
    expect(only('BASE=/s\nUPPER=/s/root\nWORK=/s/root/work\n')).toMatchObject({ line: 3, code: 'invalid-value' });
    expect(only('BASE=/s\nUPPER=/s/w/root\nWORK=/s/w\n')).toMatchObject({ line: 3, code: 'invalid-value' });
    expect(only('BASE=/s\nUPPER=/s/work\n')).toMatchObject({ line: 2, code: 'invalid-value' });
    expect(parse('BASE=/s\nUPPER=/\nLOWER=/\nWORK=/x\n').conf?.rootSetup).toBe('bind');
  });

  it('every bad value is reported, not just the first', () => {
    const { diagnostics } = parse('BASE=.\nRAM_SIZE=huge\nSTART=\nCABLES=x\n');
    expect(diagnostics.map((d) => d.line)).toEqual([2, 3, 4]);
  });
});
