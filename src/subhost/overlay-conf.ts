// Reads an overlay-boot(8) subhost `.conf` file: `NAME=value` lines, `!command` values, defaults, checked values.
import { posix } from 'node:path';
import { closest } from '../config/suggest';
import type { CommandOutput } from './conf-command';
import { parseCables, parseRamSize, parseShare, parseStart, pathProblem, type Cable, type Parsed, type Share } from './conf-values';
import { parseSubhostName } from './subhost-name';

/** Every variable overlay-boot(8) names in its OPTIONS section, in the manual's order. */
export const OVERLAY_CONF_VARIABLES = ['NAME', 'BASE', 'CABLES', 'INIT', 'LIVE', 'LOG', 'LOWER', 'POSTMOUNT', 'PREMOUNT', 'RAM_SIZE', 'START', 'UPPER', 'WORK', 'SHARE'] as const;

/** One of the variables a `.conf` may assign. */
export type OverlayConfVariable = (typeof OVERLAY_CONF_VARIABLES)[number];

const KNOWN: ReadonlySet<string> = new Set<string>(OVERLAY_CONF_VARIABLES);
const isKnown = (name: string): name is OverlayConfVariable => KNOWN.has(name);

/** Stable codes a caller can match on; the message may change, the code does not. */
export type ConfDiagnosticCode =
  /** The file could not be read, or is not text: as `validate` reports them. */
  | 'io-error'
  | 'not-text'
  | 'malformed-line'
  | 'unknown-variable'
  | 'duplicate-variable'
  | 'command-failed'
  | 'invalid-value'
  | 'missing-variable'
  /** Two variables that cannot both be set (INIT and START). */
  | 'conflicting-variables';

/** One finding about a `.conf` file. */
export interface ConfDiagnostic {
  /** 1-based; 0 when the finding is about the file as a whole (a missing variable, a default taken from the file name). */
  line: number;
  severity: 'error' | 'warning';
  code: ConfDiagnosticCode;
  message: string;
}

/** How the subhost root is set up, as overlay-boot(8) derives it from UPPER, LOWER and LIVE. */
export type RootSetup =
  /** "If UPPER is different from LOWER, then the root file system is set up as an overlay mount." */
  | 'overlay'
  /** "If UPPER is the same as LOWER … if UPPER is different from LIVE, the root filesystem is set up as a bind mount." */
  | 'bind'
  /** "… and if UPPER and LIVE are also the same, then LIVE is used as root filesystem without additional mounting." */
  | 'live';

/** A subhost as its `.conf` defines it, with every default filled in and every path absolute. */
export interface OverlayConf {
  /** The `.conf` file itself (absolute). */
  file: string;
  /** NAME: the subhost's name, which also names its network namespace and host-end cables; default the file's base name. */
  name: string;
  /** BASE: "a pathname for a directory that is considered to be a 'base' for the subhost setup", relative to the file's directory. */
  base: string;
  /** LIVE: the mount point of the subhost root; default BASE/live. */
  live: string;
  /** UPPER: the writable layer of the overlay; default BASE/root. */
  upper: string;
  /** WORK: the overlay work directory, "outside of but on the same mount as UPPER"; default BASE/work. */
  work: string;
  /** LOWER: the layer overlaid, "i.e. an overlay of the main host filesystem"; default `/`. One path: the seed shows no list. */
  lower: string;
  /** Derived from UPPER, LOWER and LIVE: overlay mount, bind mount, or LIVE as it is. */
  rootSetup: RootSetup;
  /** PREMOUNT: a command, as written, run before the root is mounted; undefined when not set. */
  premount: string | undefined;
  /** POSTMOUNT: a command, as written, run after the root is mounted; undefined when not set. */
  postmount: string | undefined;
  /** INIT: the subhost init command, as written; undefined means overlay-boot's own. */
  init: string | undefined;
  /** START: the SysV services to start ([] for `none`); undefined means overlay-init's default start. */
  start: string[] | undefined;
  /** CABLES: "a space separated list of cable specifiers"; [] is "without networking". */
  cables: Cable[];
  /** SHARE: host directories shared into the subhost; [] when not set. */
  share: Share[];
  /** RAM_SIZE: a tmpfs size as written (`512M`, `1G`, `50%`); undefined when not set. */
  ramSize: string | undefined;
  /** LOG: the log file overlay-boot writes; undefined means overlay-boot's default. */
  log: string | undefined;
  /** Where each variable that is set was written; a variable missing here took its default. */
  sources: ReadonlyMap<OverlayConfVariable, ConfSource>;
}

/** Where a variable's value came from. */
export interface ConfSource {
  line: number;
  /** The `!command` (without the `!`) whose output is the value, when it was one. */
  command?: string;
}

/** What the reader needs besides the text: where the file is, and how to run a `!command`. */
export interface ParseOverlayConfOptions {
  /** Absolute path of the `.conf` file: BASE is relative to its directory, NAME defaults to its base name. */
  file: string;
  /** Runs a `!command` (without the `!`) and returns its output; `line` is where it was written. */
  runCommand: (command: string, line: number) => CommandOutput;
}

/** The result: a conf when there is no error, and every diagnostic found. */
export interface ParseOverlayConfResult {
  conf: OverlayConf | undefined;
  diagnostics: ConfDiagnostic[];
}

interface Assignment {
  line: number;
  value: string;
  command?: string;
}

// The manual's own words: "the varable name flush left and immediately followed by an equal sign".
const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** A value is one line of text; a control character other than tab (a command's second line, a NUL) cannot be in one. */
const hasControl = (text: string): boolean => [...text].some((c) => (c < ' ' && c !== '\t') || c === '\u007f');

/** Read a `.conf` text: structure first, then `!commands` (only when the structure is sound), then defaults and checks. */
export function parseOverlayConf(text: string, options: ParseOverlayConfOptions): ParseOverlayConfResult {
  if (!posix.isAbsolute(options.file)) throw new TypeError(`parseOverlayConf: file must be an absolute path, got "${options.file}"`);
  const diagnostics: ConfDiagnostic[] = [];
  const error = (line: number, code: ConfDiagnosticCode, message: string): void => {
    diagnostics.push({ line, severity: 'error', code, message });
  };

  const assignments = readAssignments(text, error);
  // Nothing from a file with a malformed, unknown or repeated line is run: its commands may not mean what they seem.
  if (diagnostics.length > 0) return { conf: undefined, diagnostics };

  const values = runCommands(assignments, options.runCommand, error);
  if (diagnostics.length > 0) return { conf: undefined, diagnostics };

  const conf = buildConf(values, options.file, error);
  // Values are checked in dependency order (BASE before the paths under it); the reader wants them in file order.
  diagnostics.sort((a, b) => a.line - b.line);
  return { conf: diagnostics.length > 0 ? undefined : conf, diagnostics };
}

/** Render a diagnostic as `validate` renders one of a YAML config, without a column: `file:line: severity code: message`. */
export function formatConfDiagnostic(file: string, diagnostic: ConfDiagnostic): string {
  return `${file}${diagnostic.line > 0 ? `:${diagnostic.line}` : ''}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
}

/** Every diagnostic a line, then a summary as `validate` ends with: `file: invalid (2 errors, 1 warning)`. */
export function confDiagnosticsText(file: string, diagnostics: readonly ConfDiagnostic[]): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const counts = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
  const lines = diagnostics.map((diagnostic) => formatConfDiagnostic(file, diagnostic));
  return `${[...lines, `${file}: ${errors > 0 ? 'invalid' : 'valid'}${counts ? ` (${counts})` : ''}`].join('\n')}\n`;
}

type Report = (line: number, code: ConfDiagnosticCode, message: string) => void;

/** The assignments of the text by variable, each with its line; every line that is not one is reported. */
function readAssignments(text: string, error: Report): Map<OverlayConfVariable, Assignment> {
  const assignments = new Map<OverlayConfVariable, Assignment>();
  // A final line without a newline is a line; a CR before the newline (a file edited on Windows) is not part of it.
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') continue;
    // The manual does not mention comments; a `#` in the first column cannot be a variable name, so such a line is
    // skipped as the shell would. A `#` after leading blanks is not flush left and is refused like any indented line.
    if (content.startsWith('#')) continue;
    if (/^\s/.test(content)) {
      error(line, 'malformed-line', 'starts with whitespace: the variable name must be flush left (NAME=value)');
      continue;
    }
    if (content.includes('\u0000')) {
      error(line, 'malformed-line', 'contains a NUL byte');
      continue;
    }
    const equals = content.indexOf('=');
    const name = equals < 0 ? content.trim() : content.slice(0, equals);
    if (equals < 0) {
      error(line, 'malformed-line', `"${clip(content)}" is not an assignment: write NAME=value${suggestion(name)}`);
      continue;
    }
    if (!VARIABLE_NAME.test(name)) {
      error(line, 'malformed-line', `"${clip(name)}" is not a variable name: the name is capitals, digits and _, immediately followed by "="${suggestion(name)}`);
      continue;
    }
    if (!isKnown(name)) {
      error(line, 'unknown-variable', `${name} is not an overlay-boot variable${suggestion(name)}; known: ${OVERLAY_CONF_VARIABLES.join(', ')}`);
      continue;
    }
    const first = assignments.get(name);
    // The manual is silent on a repeated variable; which one wins would be a guess, so neither does.
    if (first) {
      error(line, 'duplicate-variable', `${name} is set again; it was first set on line ${first.line}`);
      continue;
    }
    // "The rest of that line (ignoring leading and trailing spaces) is its value."
    assignments.set(name, { line, value: content.slice(equals + 1).trim() });
  }
  return assignments;
}

/** The values with every `!command` replaced by its output; stops at the first command that fails. */
function runCommands(assignments: Map<OverlayConfVariable, Assignment>, runCommand: ParseOverlayConfOptions['runCommand'], error: Report): Map<OverlayConfVariable, Assignment> {
  const values = new Map<OverlayConfVariable, Assignment>();
  // Map order is insertion order, so commands run in file order, as overlay-boot reads them.
  for (const [name, { line, value }] of assignments) {
    if (!value.startsWith('!')) {
      values.set(name, { line, value });
      continue;
    }
    const command = value.slice(1).trim();
    if (command === '') {
      error(line, 'invalid-value', `${name}=! has no command after the "!"`);
      return values;
    }
    const output = runCommand(command, line);
    if (!output.ok) {
      error(line, 'command-failed', `${name}: command "${clip(command)}" failed: ${output.reason}`);
      // Later commands are not run: the boot that would use them is not going to happen.
      return values;
    }
    // As the shell's $(...): trailing newlines go, everything else stays.
    const stdout = output.stdout.replace(/\n+$/, '');
    if (hasControl(stdout)) {
      error(line, 'invalid-value', `${name}: command "${clip(command)}" wrote more than one line or a control character; a value is one line`);
      return values;
    }
    values.set(name, { line, value: stdout, command });
  }
  return values;
}

/** The conf with defaults filled in, or undefined with the reasons reported. */
function buildConf(values: Map<OverlayConfVariable, Assignment>, file: string, error: Report): OverlayConf | undefined {
  const lineOf = (name: OverlayConfVariable): number => values.get(name)?.line ?? 0;
  /** The value of a variable, checked by `parse`; undefined when not set or not valid (then reported). */
  const read = <T>(name: OverlayConfVariable, parse: (text: string) => Parsed<T>): T | undefined => {
    const assignment = values.get(name);
    if (!assignment) return undefined;
    const parsed = parse(assignment.value);
    if (!parsed.ok) error(assignment.line, 'invalid-value', `${name} ${parsed.problem}`);
    return parsed.ok ? parsed.value : undefined;
  };
  const directory = posix.dirname(file);

  // The README: a subhost is "a configuration file with at least a definition of the BASE variable".
  if (!values.has('BASE')) {
    error(0, 'missing-variable', 'BASE is not set; it names the subhost directory, relative to this file\'s (BASE=. when the file is in it)');
    return undefined;
  }
  // "The BASE pathname is understood as relative to its own directory."
  const base = read('BASE', (text) => absolutePath(text, directory));
  const name = values.has('NAME') ? read('NAME', parseSubhostName) : nameFromFile(file, error);
  if (base === undefined || name === undefined) return undefined;

  // Relative LIVE, UPPER, WORK and LOWER are under BASE, as the seed's `LOWER= base` names BASE/base.
  const underBase = (text: string): Parsed<string> => absolutePath(text, base);
  const live = values.has('LIVE') ? read('LIVE', underBase) : posix.join(base, 'live');
  const upper = values.has('UPPER') ? read('UPPER', underBase) : posix.join(base, 'root');
  const work = values.has('WORK') ? read('WORK', underBase) : posix.join(base, 'work');
  const lower = values.has('LOWER') ? read('LOWER', underBase) : '/';
  const start = read('START', parseStart);
  const cables = values.has('CABLES') ? read('CABLES', parseCables) : [];
  const share = values.has('SHARE') ? read('SHARE', parseShare) : [];
  const ramSize = read('RAM_SIZE', parseRamSize);
  const log = read('LOG', absoluteOnly);
  const premount = read('PREMOUNT', command);
  const postmount = read('POSTMOUNT', command);
  const init = read('INIT', command);
  if (live === undefined || upper === undefined || work === undefined || lower === undefined || cables === undefined || share === undefined) return undefined;

  const rootSetup: RootSetup = upper !== lower ? 'overlay' : upper !== live ? 'bind' : 'live';
  // "WORK (below) must be defined as a directory outside of but on the same mount as UPPER" (the mount is checked at boot).
  if (rootSetup === 'overlay' && (within(work, upper) || within(upper, work))) {
    error(lineOf('WORK') || lineOf('UPPER'), 'invalid-value', `WORK ${work} must be outside UPPER ${upper} (and UPPER outside WORK): overlayfs needs them as separate directories`);
    return undefined;
  }
  const sources = new Map([...values].map(([variable, { line, command }]) => [variable, command === undefined ? { line } : { line, command }]));
  return { file, name, base, live, upper, work, lower, rootSetup, premount, postmount, init, start, cables, share, ramSize, log, sources };
}

/** NAME when not set: "the base name of the configuration file", without its extension (`/ex1/ex1.conf` → `ex1`). */
function nameFromFile(file: string, error: Report): string | undefined {
  const name = posix.basename(file, posix.extname(file));
  const parsed = parseSubhostName(name);
  if (parsed.ok) return parsed.value;
  error(0, 'invalid-value', `the file name gives NAME "${clip(name)}", which ${parsed.problem}; set NAME= in the file`);
  return undefined;
}

function absolutePath(text: string, from: string): Parsed<string> {
  const problem = pathProblem(text);
  if (problem !== undefined) return { ok: false, problem: `"${clip(text)}" ${problem}` };
  return { ok: true, value: posix.resolve(from, text) };
}

// LOG's base is not given by the seed; rather than guess one, a relative LOG is refused.
function absoluteOnly(text: string): Parsed<string> {
  if (!text.startsWith('/')) return { ok: false, problem: `"${clip(text)}" must be an absolute path` };
  return absolutePath(text, '/');
}

// A command is kept as written (it is the subhost's business), but an empty one is more likely a slip than a wish.
function command(text: string): Parsed<string> {
  if (text === '') return { ok: false, problem: 'is empty: remove the line, or give a command' };
  return { ok: true, value: text };
}

/** Whether `path` is `parent` or below it (both normalised and absolute). */
function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent === '/' ? '/' : `${parent}/`);
}

function suggestion(word: string): string {
  const near = closest(word, OVERLAY_CONF_VARIABLES);
  return near === undefined || near === word ? '' : ` (did you mean ${near}?)`;
}

/** A user's text shortened for a message, so a pasted binary does not flood the terminal. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
