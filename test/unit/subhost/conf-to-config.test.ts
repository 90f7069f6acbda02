// overlay-boot .conf → bootstrap config: the manual's three examples as Configs, every variable's key and comment,
// START and INIT as handoffs, what is refused (CABLES, INIT with START, a relative INIT) and names as data.
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { Config } from '../../../src/config/generated/config-types';
import { configSchema } from '../../../src/config/schema-walk';
import { PROCESS_NAME, SERVICE_PROGRAM } from '../../../src/subhost/conf-handoff';
import { confToConfig, type ConfConversion } from '../../../src/subhost/conf-to-config';
import { parseOverlayConf, type ConfDiagnostic } from '../../../src/subhost/overlay-conf';
import type { CommandOutput } from '../../../src/subhost/conf-command';

const noCommands = (command: string): CommandOutput => {
  throw new Error(`no command expected, got ${command}`);
};

/** The conversion of `text` read as `file`; the .conf itself must be valid. */
function convert(text: string, file: string, runCommand: (command: string, line: number) => CommandOutput = noCommands): ReturnType<typeof confToConfig> {
  const { conf, diagnostics } = parseOverlayConf(text, { file, runCommand });
  expect(diagnostics).toEqual([]);
  return confToConfig(conf!);
}

function converted(text: string, file: string, runCommand?: (command: string, line: number) => CommandOutput): ConfConversion {
  const result = convert(text, file, runCommand);
  if (!result.ok) throw new Error(`not converted: ${JSON.stringify(result.diagnostics)}`);
  return result.conversion;
}

function refused(text: string, file = '/etc/subhosts/a.conf'): ConfDiagnostic[] {
  const result = convert(text, file);
  if (result.ok) throw new Error(`converted:\n${result.conversion.yaml}`);
  return result.diagnostics;
}

/** The line of the YAML holding `key: value` (the first), for asserting its comment. */
function lineWith(yaml: string, start: string): string {
  const line = yaml.split('\n').find((candidate) => candidate.trimStart().startsWith(start));
  if (line === undefined) throw new Error(`no line starting with ${start} in:\n${yaml}`);
  return line;
}

const subhostNamespaces: Config['namespaces'] = ['mount', 'pid', 'net', 'uts', 'ipc'];
const defaultRoot = { lower: '/', upper: 'root', work: 'work', live: 'live' };

/** A START service as validation leaves it: every process default filled in. */
function serviceStart(name: string, after?: string): Record<string, unknown> {
  return {
    program: SERVICE_PROGRAM,
    arguments: [name, 'start'],
    type: 'oneshot',
    ...(after === undefined ? {} : { dependsOn: { [after]: 'completed' } }),
    workingDirectory: '/',
    main: false,
    backoff: { initial: '100ms', max: '30s', factor: 2 },
    startLimit: { count: 5, interval: '60s' },
    onFailed: 'ignore',
    stdout: 'console',
    stderr: 'console',
    stopSignal: 'SIGTERM',
    stopTimeout: '10s',
  };
}

describe("overlay-boot(8)'s examples", () => {
  it('"Smallest possible", /opt/subhost/copy/copy.conf: BASE=. is an overlay of / held by PID 1', () => {
    const { config, yaml } = converted('BASE=.\n', '/opt/subhost/copy/copy.conf');
    expect(config).toEqual({
      console: 'console',
      subhost: { name: 'copy', base: '.', root: defaultRoot, stopTimeout: '30s' },
      namespaces: subhostNamespaces,
      postSwitch: { initctl: false, handoff: { mode: 'none' } },
    });
    expect(yaml).not.toContain('cables');
    expect(lineWith(yaml, 'name:')).toBe("  name: copy # NAME not set: overlay-boot's default, the .conf's file name without its extension");
    expect(lineWith(yaml, 'base:')).toBe('  base: . # from BASE (line 1)');
    expect(lineWith(yaml, 'upper:')).toBe("    upper: root # UPPER not set: overlay-boot's default, BASE/root");
    expect(lineWith(yaml, 'lower:')).toBe("    lower: / # LOWER not set: overlay-boot's default, the main host's /");
    expect(yaml).toContain('# START not set: overlay-boot(8) does not say what its default start runs');
    expect(yaml).toContain("# LOG not set: the subhost's output goes to /run/bootstrap/subhosts/copy/console.log, bootstrap's default");
  });

  it('/opt/subhost/tiny/tiny.conf: one cable without bridge or MAC, START=none holds, LOWER=base is BASE/base', () => {
    const { config, yaml } = converted('BASE=.\nCABLES= =\nSTART= none\nLOWER= base\n', '/opt/subhost/tiny/tiny.conf');
    expect(config).toEqual({
      console: 'console',
      subhost: { name: 'tiny', base: '.', root: { ...defaultRoot, lower: 'base' }, cables: [{}], stopTimeout: '30s' },
      namespaces: subhostNamespaces,
      postSwitch: { initctl: false, handoff: { mode: 'none' } },
    });
    expect(yaml).toContain('  # from CABLES (line 2): cable i is a veth pair, tiny<i> on the host and eth<i> in the subhost,');
    expect(yaml).toContain('  cables:\n    - {}\n');
    expect(lineWith(yaml, 'lower:')).toBe('    lower: base # from LOWER (line 4)');
    expect(yaml).toContain('# from START (line 3): none, so no services.');
  });

  it('/opt/subhost/mta/mta.conf: six SysV services started in turn, each after the one before completed; a cable to the host', () => {
    const { config } = converted('BASE=.\nCABLES= =\nSTART= rsyslog networking ssh saslauthd postfix dovecot\n', '/opt/subhost/mta/mta.conf');
    const services = ['rsyslog', 'networking', 'ssh', 'saslauthd', 'postfix', 'dovecot'];
    expect(config).toEqual({
      console: 'console',
      subhost: { name: 'mta', base: '.', root: defaultRoot, cables: [{}], stopTimeout: '30s' },
      namespaces: subhostNamespaces,
      postSwitch: {
        initctl: false,
        handoff: { mode: 'supervise', shutdownTimeout: '5s', processes: Object.fromEntries(services.map((name, index) => [name, serviceStart(name, services[index - 1])])) },
      },
    });
    const handoff = config.postSwitch.handoff;
    // Listed order is start order: the YAML mapping keeps it, and each waits for the one before.
    expect(handoff.mode === 'supervise' && Object.keys(handoff.processes)).toEqual(services);
  });
});

describe('each variable', () => {
  it('CABLES: bridge, MAC and VLAN tags become subhost.cables in order', () => {
    const { config, yaml } = converted('BASE=.\nCABLES= br0=02:AB:00:00:00:01 = =.302 =.4094\n', '/opt/subhost/x/x.conf');
    expect(config.subhost?.cables).toEqual([{ bridge: 'br0', mac: '02:ab:00:00:00:01' }, {}, { vlan: 302 }, { vlan: 4094 }]);
    expect(yaml).toContain('  cables:\n    - {bridge: br0, mac: 02:ab:00:00:00:01}\n    - {}\n    - {vlan: 302}\n    - {vlan: 4094}\n');
    // .4095 is in overlay-boot's range, and refused as Linux refuses it.
    expect(refused('BASE=.\nCABLES= = =.4095\n').map((diagnostic) => diagnostic.message)).toEqual([expect.stringMatching(/^CABLES \(cable 1, "=\.4095"\): VLAN 4095 is reserved by IEEE 802\.1Q/) as unknown]);
  });

  it('CABLES: a VLAN with no cable before it, or with a bridge, is refused naming the specifier', () => {
    expect(refused('BASE=.\nCABLES==.3 br0= br0=.4\n')).toEqual([
      { line: 2, severity: 'error', code: 'invalid-value', message: 'CABLES (cable 0, "=.3"): a VLAN cable goes "on the prior host interface", the host end of a cable before it, and there is none: put a cable without vlan first' },
      { line: 2, severity: 'error', code: 'invalid-value', message: 'CABLES (cable 2, "br0=.4"): a VLAN cable is made on the host end of the cable before it and has nothing in the subhost: it takes no bridge (make it a cable of its own)' },
    ]);
  });

  it('NAME, and paths: relative to the .conf (BASE) and to BASE (the root) where they are under them, absolute elsewhere', () => {
    const { config, yaml } = converted('NAME=web1\nBASE=../srv/web\nLIVE=/mnt/web\nUPPER=layers/up\nWORK=layers/wk\nLOWER=/srv/debian\n', '/etc/subhosts/web.conf');
    expect(config.subhost).toEqual({ name: 'web1', base: '/etc/srv/web', root: { lower: '/srv/debian', upper: 'layers/up', work: 'layers/wk', live: '/mnt/web' }, stopTimeout: '30s' });
    expect(lineWith(yaml, 'name:')).toBe('  name: web1 # from NAME (line 1)');
    expect(lineWith(yaml, 'live:')).toBe('    live: /mnt/web # from LIVE (line 3)');
    // Not beside the .conf's directory, so no "keep it beside" advice.
    expect(yaml).not.toContain('Keep it beside');
    expect(converted('BASE=sub/dir\n', '/etc/subhosts/a.conf').config.subhost?.base).toBe('sub/dir');
  });

  it('RAM_SIZE, SHARE, PREMOUNT, POSTMOUNT and LOG', () => {
    const { config, yaml } = converted(
      'BASE=.\nRAM_SIZE=512M\nSHARE=/srv/data /home\nPREMOUNT=losetup -f x.img && mount x.img root\nPOSTMOUNT=echo mounted\nLOG=/opt/s/a/logs/console.log\n',
      '/opt/s/a/a.conf',
    );
    expect(config.subhost).toEqual({
      name: 'a',
      base: '.',
      root: { ...defaultRoot, ramSize: '512M' },
      share: [{ source: '/srv/data', readOnly: false }, { source: '/home', readOnly: false }],
      premount: ['losetup -f x.img && mount x.img root'],
      postmount: ['echo mounted'],
      // Under BASE, so relative to it, as the root's paths are.
      log: 'logs/console.log',
      stopTimeout: '30s',
    });
    expect(lineWith(yaml, 'ramSize:')).toBe('    ramSize: 512M # from RAM_SIZE (line 2)');
    expect(yaml).toContain('  # from SHARE (line 3): host directories bound into the subhost at the same path.\n  share:\n    - source: /srv/data\n');
    expect(yaml).toContain('  # from PREMOUNT (line 4): run on the host with /bin/sh -c before the root is mounted.\n  premount:\n');
    expect(lineWith(yaml, 'log:')).toBe('  log: logs/console.log # from LOG (line 6)');
    expect(yaml).not.toContain('LOG not set');
  });

  it("the root setup follows overlay-boot(8)'s rules and says which", () => {
    expect(converted('BASE=.\n', '/s/a/a.conf').yaml).toContain('# UPPER is different from LOWER: the root is an overlay mount');
    const bind = converted('BASE=.\nUPPER=/srv/full\nLOWER=/srv/full\n', '/s/a/a.conf');
    expect(bind.config.subhost?.root).toMatchObject({ upper: '/srv/full', lower: '/srv/full', live: 'live' });
    expect(bind.yaml).toContain('# UPPER is the same as LOWER and different from LIVE: the root is a bind mount');
    expect(converted('BASE=.\nUPPER=live\nLOWER=live\n', '/s/a/a.conf').yaml).toContain('# UPPER, LOWER and LIVE are the same: live is the root filesystem without additional mounting.');
  });

  it('!command values are their output, and the comment says which command made them', () => {
    const calls: string[] = [];
    const runCommand = (command: string): CommandOutput => {
      calls.push(command);
      return { ok: true, stdout: command === 'hostname -s' ? 'mail\n' : 'ssh cron\n' };
    };
    const { config, yaml } = converted('NAME=!hostname -s\nBASE=.\nSTART=!cat /etc/subhost-services\n', '/s/mail/mail.conf', runCommand);
    expect(calls).toEqual(['hostname -s', 'cat /etc/subhost-services']);
    expect(config.subhost?.name).toBe('mail');
    expect(config.postSwitch.handoff.mode === 'supervise' && Object.keys(config.postSwitch.handoff.processes)).toEqual(['ssh', 'cron']);
    expect(lineWith(yaml, 'name:')).toBe('  name: mail # from NAME (line 1): the output of `!hostname -s` when imported');
    expect(yaml).toContain('# from START (line 3): the output of `!cat /etc/subhost-services` when imported: the SysV services');
  });
});

describe('START and INIT', () => {
  it('INIT is an exec of its words', () => {
    const { config, yaml } = converted('BASE=.\nINIT=/lib/systemd/systemd --system 3\n', '/s/a/a.conf');
    expect(config.postSwitch.handoff).toEqual({ mode: 'exec', program: '/lib/systemd/systemd', arguments: ['--system', '3'] });
    expect(yaml).toContain("# from INIT (line 2): the subhost's init, which PID 1 becomes once the subhost is set up.");
    expect(converted('BASE=.\nINIT=/sbin/init\n', '/s/a/a.conf').config.postSwitch.handoff).toEqual({ mode: 'exec', program: '/sbin/init' });
  });

  it('INIT needs an absolute program and no shell syntax', () => {
    expect(refused('BASE=.\nINIT=init\n')).toEqual([
      { line: 2, severity: 'error', code: 'invalid-value', message: `INIT "init" must start with an absolute program path (such as /sbin/init): PID 1 execs it in the subhost's root without searching PATH` },
    ]);
    expect(refused('BASE=.\nINIT=/bin/sh -c "exec init"\n')[0]).toMatchObject({ line: 2, message: expect.stringContaining('shell syntax') as unknown });
  });

  it('INIT with START is an error naming both lines', () => {
    const message = 'INIT (line 3) and START (line 2) cannot both be set: bootstrap either becomes the INIT program or starts the START services itself; keep one';
    expect(refused('BASE=.\nSTART=ssh\nINIT=/sbin/init\n')).toEqual([{ line: 3, severity: 'error', code: 'conflicting-variables', message }]);
    expect(refused('BASE=.\nINIT=/sbin/init\nSTART=none\n')[0]?.message).toMatch(/^INIT \(line 2\) and START \(line 3\) cannot both be set/);
  });

  it('names from Object.prototype are services like any other, or refused as names, never keys of an object', () => {
    const { config, data } = converted('BASE=.\nSTART=toString constructor valueOf\n', '/s/a/a.conf');
    const handoff = config.postSwitch.handoff;
    if (handoff.mode !== 'supervise') throw new Error('not supervise');
    expect(Object.keys(handoff.processes)).toEqual(['toString', 'constructor', 'valueOf']);
    expect(Object.hasOwn(handoff.processes, 'toString') && handoff.processes['toString']?.arguments).toEqual(['toString', 'start']);
    expect(handoff.processes['valueOf']?.dependsOn).toEqual({ constructor: 'completed' });
    expect(JSON.stringify(data)).toContain('"constructor":{"program":"/usr/sbin/service","arguments":["constructor","start"],"type":"oneshot","dependsOn":{"toString":"completed"}}');
    // __proto__ is a fine init script name, but not a process name: refused as text, and Object.prototype untouched.
    expect(refused('BASE=.\nSTART=ssh __proto__\n')).toEqual([
      {
        line: 2,
        severity: 'error',
        code: 'invalid-value',
        message: 'START "__proto__" cannot name a service here: bootstrap names the process that starts it after it, and a process name is a letter or digit, then letters, digits, ".", "_" and "-"',
      },
    ]);
    expect(refused('BASE=.\nSTART=getty@tty1\n')[0]?.message).toMatch(/^START "getty@tty1" cannot name a service here/);
    expect(({} as Record<string, unknown>)['start']).toBeUndefined();
  });

  it("PROCESS_NAME is the schema's pattern for process names", () => {
    const processes = configSchema.$defs?.['superviseHandoff']?.properties?.['processes'] as { propertyNames?: { pattern?: string } } | undefined;
    expect(processes?.propertyNames?.pattern).toBe(PROCESS_NAME.source);
  });
});

describe('what validation finds in the converted config is placed on the variable', () => {
  it('a share in /proc is refused on the SHARE line', () => {
    expect(refused('BASE=.\nSHARE=/srv /proc/sys\n')).toEqual([
      {
        line: 2,
        severity: 'error',
        code: 'invalid-value',
        message: "SHARE: the shared host path /proc/sys is in /proc, a kernel filesystem (the host's, or the subhost's own, mounted there by its PID 1): nothing of a subhost can be kept or bound there",
      },
    ]);
  });

  it('a LIVE in /sys is refused on the LIVE line', () => {
    expect(refused('BASE=/srv/a\nLIVE=/sys/fs/live\n')).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/^LIVE: `live` \/sys\/fs\/live is in \/sys, a kernel filesystem/) as unknown })]);
  });
});

describe('the YAML', () => {
  it('is the data and the config: parsing it gives `data`, and its comments stay comments', () => {
    const { yaml, data } = converted('BASE=.\nCABLES= =\nSTART=ssh\n', '/opt/subhost/x/x.conf');
    const document = parseDocument(yaml);
    expect(document.errors).toEqual([]);
    expect(document.toJS()).toEqual(data);
    expect(yaml.startsWith('# A bootstrap subhost config, imported from x.conf (overlay-boot) by `bootstrap subhost import`.\n')).toBe(true);
    expect(yaml).toContain('# service(8) is /usr/sbin/service in a Debian root (package init-system-helpers).');
    // Comments wrap: no line is much wider than a terminal.
    expect(Math.max(...yaml.split('\n').map((line) => line.length))).toBeLessThanOrEqual(120);
  });
});
