// What the subhost's PID 1 does, from overlay-boot's START and INIT: hold, start SysV services in order, or exec an init.
import type { ConfDiagnostic, OverlayConf } from './overlay-conf';
import { list, mapping, scalar, wrap, type Entry } from './commented-yaml';
import { lineOf, origin } from './conf-origin';
import { words } from './conf-values';

/**
 * service(8), which runs /etc/init.d/NAME with a clean environment: Debian's init-system-helpers installs it as
 * /usr/sbin/service (also /sbin/service on a merged-/usr root). A process's program must be absolute.
 */
export const SERVICE_PROGRAM = '/usr/sbin/service';

/** The `handoff` entry of postSwitch, or why there is none. */
export type HandoffEntry = { ok: true; entry: Entry; variable: 'START' | 'INIT' | undefined } | { ok: false; diagnostic: ConfDiagnostic };

// The schema's pattern for a process name (processes' propertyNames): each START service is a process of that name.
export const PROCESS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// What a shell would read differently from blank-separated words: INIT is split at blanks here, never by a shell.
const SHELL_SYNTAX = /["'\\$`;|&<>(){}]/;

/** The handoff for START (none, or SysV services) or INIT (an exec); INIT with START is refused, naming both lines. */
export function confHandoff(conf: OverlayConf): HandoffEntry {
  if (conf.init !== undefined && conf.start !== undefined) {
    const message = `INIT (line ${lineOf(conf, 'INIT')}) and START (line ${lineOf(conf, 'START')}) cannot both be set: bootstrap either becomes the INIT program or starts the START services itself; keep one`;
    return { ok: false, diagnostic: { line: Math.max(lineOf(conf, 'INIT'), lineOf(conf, 'START')), severity: 'error', code: 'conflicting-variables', message } };
  }
  if (conf.init !== undefined) return initHandoff(conf, conf.init);
  if (conf.start === undefined) {
    const above = wrap(
      'START not set: overlay-boot(8) does not say what its default start runs (only that it "might have started sshd"), so PID 1 starts nothing: it reaps and holds the subhost until it is stopped (enter it with `bootstrap subhost enter`). List SysV services in START to start them.',
    );
    return { ok: true, variable: undefined, entry: { key: 'handoff', above, value: mapping([{ key: 'mode', value: scalar('none') }]) } };
  }
  if (conf.start.length === 0) {
    const above = wrap(`${origin(conf, 'START', '')}: none, so no services. PID 1 reaps and holds the subhost until it is stopped, as overlay-boot(8)'s dummy_service does "to hold the overlay for access via overlay-go".`);
    return { ok: true, variable: 'START', entry: { key: 'handoff', above, value: mapping([{ key: 'mode', value: scalar('none') }]) } };
  }
  // A SysV name may start with "_" or hold "@" or "+"; a process name may not, and renaming one would be a guess.
  const unnamable = conf.start.find((name) => !PROCESS_NAME.test(name));
  if (unnamable !== undefined) {
    const message = `START "${unnamable}" cannot name a service here: bootstrap names the process that starts it after it, and a process name is a letter or digit, then letters, digits, ".", "_" and "-"`;
    return { ok: false, diagnostic: { line: lineOf(conf, 'START'), severity: 'error', code: 'invalid-value', message } };
  }
  return { ok: true, variable: 'START', entry: servicesHandoff(conf, conf.start) };
}

// Each service's start is a oneshot that waits for the one before it to complete (whatever its status, as one
// failing init script does not keep the next from starting); with no main service the supervisor then holds.
function servicesHandoff(conf: OverlayConf, services: readonly string[]): Entry {
  const processes: Entry[] = services.map((name, index) => {
    const previous = index > 0 ? services[index - 1] : undefined;
    const fields: Entry[] = [
      { key: 'program', value: scalar(SERVICE_PROGRAM) },
      { key: 'arguments', value: list([scalar(name), scalar('start')], true) },
      { key: 'type', value: scalar('oneshot') },
    ];
    if (previous !== undefined) fields.push({ key: 'dependsOn', value: mapping([{ key: previous, value: scalar('completed') }], true) });
    return { key: name, value: mapping(fields) };
  });
  const above = wrap(
    `${origin(conf, 'START', '')}: the SysV services, each started with \`service NAME start\` once the start of the one before it has completed, in the order listed. PID 1 keeps holding the subhost after the last one.`,
  );
  const handoff = mapping([
    { key: 'mode', value: scalar('supervise') },
    { key: 'processes', above: wrap(`service(8) is ${SERVICE_PROGRAM} in a Debian root (package init-system-helpers).`), value: mapping(processes) },
  ]);
  return { key: 'handoff', above, value: handoff };
}

// INIT is the subhost's init: PID 1 becomes it (exec) once the subhost is set up.
function initHandoff(conf: OverlayConf, init: string): HandoffEntry {
  const line = lineOf(conf, 'INIT');
  const fail = (message: string): HandoffEntry => ({ ok: false, diagnostic: { line, severity: 'error', code: 'invalid-value', message } });
  if (SHELL_SYNTAX.test(init)) {
    return fail(`INIT "${init}" has quotes, "\\", "$" or other shell syntax: its words are split at blanks and run without a shell; write the program and its plain arguments, or a script that does the rest`);
  }
  const [program, ...args] = words(init);
  if (program === undefined || !program.startsWith('/')) {
    return fail(`INIT "${init}" must start with an absolute program path (such as /sbin/init): PID 1 execs it in the subhost's root without searching PATH`);
  }
  const fields: Entry[] = [
    { key: 'mode', value: scalar('exec') },
    { key: 'program', value: scalar(program) },
  ];
  if (args.length > 0) fields.push({ key: 'arguments', value: list(args.map((arg) => scalar(arg)), true) });
  const above = wrap(`${origin(conf, 'INIT', '')}: the subhost's init, which PID 1 becomes once the subhost is set up.`);
  return { ok: true, variable: 'INIT', entry: { key: 'handoff', above, value: mapping(fields) } };
}
