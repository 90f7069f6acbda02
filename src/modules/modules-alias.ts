// modules.alias and modules.softdep from text: names that stand for modules, and modules to load around others.
import { moduleName } from './module-name';

/** One glob alias; `prefix` is its text before the first wildcard, a cheap test before the pattern itself. */
export interface AliasPattern {
  pattern: string;
  prefix: string;
  module: string;
}

/** modules.alias as data, split into exact names (a map) and glob patterns (tried in file order). */
export interface ModuleAliases {
  exact: ReadonlyMap<string, readonly string[]>;
  patterns: readonly AliasPattern[];
}

// Compiled on first use: a kernel has ~23,000 device patterns and compiling them all costs PID 1 ~170 ms.
const matchers = new WeakMap<AliasPattern, RegExp>();

/** Soft dependencies of one module: loaded before (`pre`) or after (`post`) it when available, never required. */
export interface SoftDependencies {
  pre: readonly string[];
  post: readonly string[];
}

/** modules.softdep as data: canonical module name → its soft dependencies (module names or aliases). */
export type ModuleSoftdeps = ReadonlyMap<string, SoftDependencies>;

/** Parses modules.alias (`alias PATTERN MODULE` per line); comments, blank and other lines are skipped, as kmod does. */
export function parseModulesAlias(text: string): ModuleAliases {
  const exact = new Map<string, string[]>();
  const patterns: AliasPattern[] = [];
  for (const raw of text.split('\n')) {
    const [keyword, pattern, module] = raw.trim().split(/\s+/);
    if (keyword !== 'alias' || pattern === undefined || module === undefined) continue;
    const normalized = normalizeAlias(pattern);
    const name = moduleName(module);
    const wildcard = normalized.search(/[*?[]/);
    if (wildcard >= 0) patterns.push({ pattern: normalized, prefix: normalized.slice(0, wildcard), module: name });
    else exact.set(normalized, [...(exact.get(normalized) ?? []), name]);
  }
  return { exact, patterns };
}

/**
 * The aliases of built-in modules from modules.builtin.modinfo: NUL-separated `module.key=value` records, of which the
 * `alias` ones are what modules.alias would say had the module not been built in (`fuse.alias=fs-fuse` on 6.12).
 */
export function parseBuiltinModinfoAliases(text: string): ModuleAliases {
  const lines = text.split('\0').flatMap((record) => {
    const match = /^([^.=\s]+)\.alias=(\S+)$/.exec(record);
    return match ? [`alias ${match[2]} ${match[1]}`] : [];
  });
  return parseModulesAlias(lines.join('\n'));
}

/** Both alias tables as one: `first`'s modules come first for an alias both name. */
export function mergeAliases(first: ModuleAliases, second: ModuleAliases): ModuleAliases {
  const exact = new Map<string, readonly string[]>(first.exact);
  for (const [alias, names] of second.exact) exact.set(alias, [...new Set([...(exact.get(alias) ?? []), ...names])]);
  return { exact, patterns: [...first.patterns, ...second.patterns] };
}

/** The module names an alias stands for, in modules.alias order without repeats; empty when it matches none. */
export function resolveAlias(aliases: ModuleAliases, alias: string): string[] {
  const wanted = normalizeAlias(alias);
  const names = [...(aliases.exact.get(wanted) ?? [])];
  for (const pattern of aliases.patterns) {
    if (!wanted.startsWith(pattern.prefix)) continue;
    let matcher = matchers.get(pattern);
    if (matcher === undefined) matchers.set(pattern, (matcher = globToRegExp(pattern.pattern)));
    if (matcher.test(wanted)) names.push(pattern.module);
  }
  return [...new Set(names)];
}

/** Parses modules.softdep (`softdep MODULE pre: A B post: C`); words before any `pre:`/`post:` are ignored, as kmod does. */
export function parseModulesSoftdep(text: string): ModuleSoftdeps {
  const softdeps = new Map<string, { pre: string[]; post: string[] }>();
  for (const raw of text.split('\n')) {
    const [keyword, module, ...words] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (keyword !== 'softdep' || module === undefined) continue;
    const entry = softdeps.get(moduleName(module)) ?? { pre: [], post: [] };
    let list: string[] | undefined;
    for (const word of words) {
      if (word === 'pre:') list = entry.pre;
      else if (word === 'post:') list = entry.post;
      else list?.push(word);
    }
    if (entry.pre.length || entry.post.length) softdeps.set(moduleName(module), entry);
  }
  return softdeps;
}

// kmod compares aliases with `-` turned into `_`, except inside [...] where `-` is a range.
function normalizeAlias(alias: string): string {
  let inBrackets = false;
  let out = '';
  for (const char of alias) {
    if (char === '[') inBrackets = true;
    else if (char === ']') inBrackets = false;
    out += char === '-' && !inBrackets ? '_' : char;
  }
  return out;
}

// fnmatch(3) without flags, which is what kmod uses for alias patterns.
function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
