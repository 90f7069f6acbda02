// Turns an overlay-boot subhost (a parsed .conf) into a bootstrap config: the commented YAML `bootstrap subhost
// import` prints, and the Config that YAML means, got by validating it exactly as a YAML config is loaded.
import { posix } from 'node:path';
import { Document, type YAMLMap } from 'yaml';
import type { Config } from '../config/generated/config-types';
import type { Diagnostic } from '../config/diagnostic';
import { SUBHOST_NAMESPACES } from '../config/namespace-findings';
import { validateConfigText } from '../config/validate-config';
import { commentText, list, mapping, scalar, wrap, type Entry } from './commented-yaml';
import { confHandoff } from './conf-handoff';
import { confDirectory, lineOf, origin, relativeTo } from './conf-origin';
import type { Cable } from './conf-values';
import type { ConfDiagnostic, OverlayConf, OverlayConfVariable, RootSetup } from './overlay-conf';

/** A .conf as a bootstrap config. */
export interface ConfConversion {
  /** The config as YAML, a comment by each value saying which variable (and line) it came from, or whose default it is. */
  yaml: string;
  /** The same config as data, before defaults: what `import --output json` prints. */
  data: unknown;
  /** What the YAML means: validated, every default filled in, equal to loading the YAML beside the .conf. */
  config: Config;
  /** Warnings of the validation, placed on the variables they are about. */
  warnings: ConfDiagnostic[];
}

export type ConfToConfigResult = { ok: true; conversion: ConfConversion } | { ok: false; diagnostics: ConfDiagnostic[] };

// JSON pointers of the YAML and the variables written there, so a finding about the YAML names the .conf's line.
const VARIABLE_AT: readonly (readonly [string, OverlayConfVariable])[] = [
  ['/subhost/name', 'NAME'],
  ['/subhost/base', 'BASE'],
  ['/subhost/root/lower', 'LOWER'],
  ['/subhost/root/upper', 'UPPER'],
  ['/subhost/root/work', 'WORK'],
  ['/subhost/root/live', 'LIVE'],
  ['/subhost/root/ramSize', 'RAM_SIZE'],
  ['/subhost/share', 'SHARE'],
  ['/subhost/cables', 'CABLES'],
  ['/subhost/premount', 'PREMOUNT'],
  ['/subhost/postmount', 'POSTMOUNT'],
  ['/subhost/log', 'LOG'],
];

/** The bootstrap config of `conf`, or why there is none (INIT with START, a relative INIT, a value the schema refuses). */
export function confToConfig(conf: OverlayConf): ConfToConfigResult {
  const handoff = confHandoff(conf);
  if (!handoff.ok) return { ok: false, diagnostics: [handoff.diagnostic] };
  const document = new Document();
  document.commentBefore = commentText(header(conf));
  document.contents = mapping([
    { key: 'subhost', value: subhostSection(conf) },
    {
      key: 'namespaces',
      above: wrap('overlay-boot(8) runs a subhost "with separate mount, network and pid namespaces"; uts and ipc are bootstrap\'s too, for a hostname and System V IPC of its own.'),
      value: list(SUBHOST_NAMESPACES.map((name) => scalar(name)), true),
    },
    { key: 'postSwitch', value: mapping([handoff.entry]) },
  ]);
  const yaml = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  const result = validateConfigText(yaml);
  const variables = new Map(VARIABLE_AT);
  const placed = result.diagnostics.map((diagnostic) => onVariable(conf, diagnostic, variables, handoff.variable));
  if (!result.config) return { ok: false, diagnostics: placed };
  return { ok: true, conversion: { yaml, data: document.toJS(), config: result.config, warnings: placed } };
}

function header(conf: OverlayConf): string[] {
  const file = posix.basename(conf.file);
  const lines = [`A bootstrap subhost config, imported from ${file} (overlay-boot) by \`bootstrap subhost import\`.`];
  if (!relativeTo(confDirectory(conf), conf.base).startsWith('/')) {
    lines.push(...wrap(`Keep it beside ${file}: base is relative to this file's directory, as BASE is to the .conf's, and the root's relative paths are relative to base.`));
  }
  return lines;
}

function subhostSection(conf: OverlayConf): YAMLMap {
  const under = (path: string): string => relativeTo(conf.base, path);
  const entries: Entry[] = [
    { key: 'name', value: scalar(conf.name), comment: origin(conf, 'NAME', "overlay-boot's default, the .conf's file name without its extension") },
    { key: 'base', value: scalar(relativeTo(confDirectory(conf), conf.base)), comment: origin(conf, 'BASE', '') },
    { key: 'root', above: rootSetupWords[conf.rootSetup], value: rootSection(conf, under) },
  ];
  if (conf.cables.length > 0) {
    entries.push({
      key: 'cables',
      above: wrap(`${origin(conf, 'CABLES', '')}: cable i is a veth pair, ${conf.name}<i> on the host and eth<i> in the subhost, its host end given to the bridge before the "=" or else brought up for ifup; a VLAN tag (.N) makes a VLAN on the host end of the cable before it instead.`),
      value: list(conf.cables.map(cableNode)),
    });
  }
  if (conf.share.length > 0) {
    entries.push({
      key: 'share',
      above: wrap(`${origin(conf, 'SHARE', '')}: host directories bound into the subhost at the same path.`),
      value: list(conf.share.map((share) => mapping([{ key: 'source', value: scalar(share.path) }]))),
    });
  }
  for (const [key, variable, when] of [['premount', 'PREMOUNT', 'before'], ['postmount', 'POSTMOUNT', 'after']] as const) {
    const command = conf[key];
    if (command === undefined) continue;
    entries.push({ key, above: wrap(`${origin(conf, variable, '')}: run on the host with /bin/sh -c ${when} the root is mounted.`), value: list([scalar(command)]) });
  }
  if (conf.log !== undefined) entries.push({ key: 'log', value: scalar(under(conf.log)), comment: origin(conf, 'LOG', '') });
  const section = mapping(entries);
  // overlay-boot(8) names LOG without saying where its output goes by default; bootstrap's default is said instead.
  if (conf.log === undefined) section.comment = commentText([`LOG not set: the subhost's output goes to /run/bootstrap/subhosts/${conf.name}/console.log, bootstrap's default`]);
  return section;
}

// overlay-boot(8)'s rules for the root, as the YAML's root then means them.
const rootSetupWords: Record<RootSetup, string[]> = {
  overlay: wrap('UPPER is different from LOWER: the root is an overlay mount of upper on lower at live, with work outside of but on the same mount as upper.'),
  bind: wrap('UPPER is the same as LOWER and different from LIVE: the root is a bind mount of upper at live (work is not used).'),
  live: wrap('UPPER, LOWER and LIVE are the same: live is the root filesystem without additional mounting.'),
};

function rootSection(conf: OverlayConf, under: (path: string) => string): YAMLMap {
  const entries: Entry[] = [
    { key: 'lower', value: scalar(under(conf.lower)), comment: origin(conf, 'LOWER', "overlay-boot's default, the main host's /") },
    { key: 'upper', value: scalar(under(conf.upper)), comment: origin(conf, 'UPPER', "overlay-boot's default, BASE/root") },
    { key: 'work', value: scalar(under(conf.work)), comment: origin(conf, 'WORK', "overlay-boot's default, BASE/work") },
    { key: 'live', value: scalar(under(conf.live)), comment: origin(conf, 'LIVE', "overlay-boot's default, BASE/live") },
  ];
  if (conf.ramSize !== undefined) entries.push({ key: 'ramSize', value: scalar(conf.ramSize), comment: origin(conf, 'RAM_SIZE', '') });
  return mapping(entries);
}

/** A finding about the generated YAML, placed on the variable it came from. */
function onVariable(conf: OverlayConf, diagnostic: Diagnostic, variables: ReadonlyMap<string, OverlayConfVariable>, handoff: OverlayConfVariable | undefined): ConfDiagnostic {
  const { pointer, severity, message } = diagnostic;
  const within = (prefix: string): boolean => pointer === prefix || pointer.startsWith(`${prefix}/`);
  const variable = [...variables].find(([prefix]) => within(prefix))?.[1] ?? (within('/postSwitch/handoff') ? handoff : undefined);
  if (variable === undefined) {
    return { line: 0, severity, code: 'invalid-value', message: `the imported config is invalid at ${pointer || 'its top'} (a bug in the importer; please report it): ${message}` };
  }
  // CABLES is one line of several specifiers: say which one (counted from 0, as the interfaces are).
  const cable = /^\/subhost\/cables\/([0-9]+)/.exec(pointer)?.[1];
  const which = cable === undefined ? '' : ` (cable ${cable}, "${cableText(conf.cables[Number(cable)])}")`;
  return { line: lineOf(conf, variable), severity, code: 'invalid-value', message: `${variable}${which}: ${message}` };
}

/** One CABLES specifier as its YAML item: `{}` for "=", `{bridge: br0, mac: ...}`, `{vlan: 302}` for "=.302". */
function cableNode(cable: Cable): YAMLMap {
  const entries: Entry[] = [];
  if (cable.bridge !== undefined) entries.push({ key: 'bridge', value: scalar(cable.bridge) });
  if (cable.mac !== undefined) entries.push({ key: 'mac', value: scalar(cable.mac) });
  if (cable.vlan !== undefined) entries.push({ key: 'vlan', value: scalar(cable.vlan) });
  return mapping(entries, true);
}

/** A cable as its CABLES specifier reads: `[bridge]=[MAC or .VLAN]`. */
function cableText(cable: Cable | undefined): string {
  if (cable === undefined) return '?';
  return `${cable.bridge ?? ''}=${cable.mac ?? (cable.vlan === undefined ? '' : `.${cable.vlan}`)}`;
}
