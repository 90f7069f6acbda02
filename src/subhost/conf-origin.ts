// Where an imported value came from, in the words of a YAML comment, and how its path is written in the YAML.
import { posix } from 'node:path';
import type { OverlayConf, OverlayConfVariable } from './overlay-conf';

/** A `!command` shown in a comment: whole when short, else its start. */
function shownCommand(command: string): string {
  return command.length > 40 ? `${command.slice(0, 37)}...` : command;
}

/**
 * "from UPPER (line 3)" for a variable that was set, with "the output of `!cmd` when imported" for a command (its
 * value is frozen into the YAML); "UPPER not set: overlay-boot's default, BASE/root" for one that was not.
 */
export function origin(conf: OverlayConf, variable: OverlayConfVariable, fallback: string): string {
  const source = conf.sources.get(variable);
  if (source === undefined) return `${variable} not set: ${fallback}`;
  const where = `from ${variable} (line ${source.line})`;
  return source.command === undefined ? where : `${where}: the output of \`!${shownCommand(source.command)}\` when imported`;
}

/** The line a variable was set on, or 0 when it took its default (a finding about the file as a whole). */
export function lineOf(conf: OverlayConf, variable: OverlayConfVariable): number {
  return conf.sources.get(variable)?.line ?? 0;
}

/**
 * `path` as the YAML writes it: relative to `directory` when it is there or below (`.`, `root`, `base`), so the YAML
 * means the same from the same place; absolute otherwise. Both are absolute and normalised.
 */
export function relativeTo(directory: string, path: string): string {
  if (path === directory) return '.';
  const prefix = directory === '/' ? '/' : `${directory}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** The .conf's directory: BASE is relative to it, and so is `subhost.base` to the YAML's. */
export function confDirectory(conf: OverlayConf): string {
  return posix.dirname(conf.file);
}
