// A small, strict argv parser: known options only, values checked, and usage errors that say how to fix them.

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly verb?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Takes a value (`--output json`); otherwise a flag. */
  value?: boolean;
  /** Allowed values, checked here. */
  choices?: readonly string[];
  /** May be given more than once (`--add a:b --add c:d`). */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string[]>;
  positionals: string[];
  help: boolean;
}

/** Parses `args` against `spec`; `--help`/`-h` is always known. */
export function parseArgs(args: readonly string[], spec: Record<string, OptionSpec>, verb?: string): ParsedArgs {
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    // The option name is the user's: `--toString` is unknown, not a member of Object.prototype.
    const option = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!option) {
      const known = Object.keys(spec).map((key) => `--${key}`);
      throw new UsageError(`unknown option --${name}${known.length ? `; known options: ${known.join(', ')}, --help` : ''}`, verb);
    }
    let value = 'true';
    if (option.value) {
      value = inline ?? args[++index] ?? '';
      if (inline === undefined && (index >= args.length || value.startsWith('--'))) throw new UsageError(`--${name} needs a value`, verb);
      if (option.choices && !option.choices.includes(value)) {
        throw new UsageError(`--${name} must be one of ${option.choices.join(', ')}, not ${JSON.stringify(value)}`, verb);
      }
    } else if (inline !== undefined) {
      throw new UsageError(`--${name} takes no value`, verb);
    }
    const values = options.get(name) ?? [];
    if (values.length > 0 && !option.repeat) throw new UsageError(`--${name} given more than once`, verb);
    options.set(name, [...values, value]);
  }
  return { options, positionals, help };
}

/** The single value of an option, or a default. */
export function optionValue(parsed: ParsedArgs, name: string, fallback: string): string;
export function optionValue(parsed: ParsedArgs, name: string): string | undefined;
export function optionValue(parsed: ParsedArgs, name: string, fallback?: string): string | undefined {
  return parsed.options.get(name)?.[0] ?? fallback;
}

/** Exactly `count` positional arguments, named for the message. */
export function expectPositionals(parsed: ParsedArgs, names: readonly string[], verb: string): string[] {
  if (parsed.positionals.length < names.length) throw new UsageError(`missing ${names.slice(parsed.positionals.length).join(' ')}`, verb);
  if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[names.length])}`, verb);
  return parsed.positionals;
}
