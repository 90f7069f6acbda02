// Parameters of a module built into the kernel: no load takes them, only the kernel command line (`name.key=value`).

/** `max_user_bgreq=77 x="a b"` of `fuse` as the kernel command line takes them: `fuse.max_user_bgreq=77 fuse.x="a b"`. */
export function commandLineParameters(name: string, parameters: string): string {
  // A value may be double-quoted with spaces inside, as the kernel's parse_args() allows.
  const words = parameters.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return words.map((word) => `${name}.${word}`).join(' ');
}

/** Why the parameters of the built-in module `name` are not applied, and what to do instead. */
export function builtinParametersMessage(name: string, parameters: string): string {
  return `module ${name} is built into this kernel, so its parameters (${parameters}) cannot be applied by loading it; put ${commandLineParameters(name, parameters)} on the kernel command line`;
}
