// The verbs' names alone, so PID 1 can tell a verb from a kernel argument without loading the CLI.

/** Every verb `bootstrap VERB` takes (run-cli's list; a test keeps the two equal). */
export const verbNames: readonly string[] = [
  'validate',
  'config-template',
  'plan',
  'pack',
  'boot',
  'supervise',
  'ctl',
  'vm',
  'subhost',
  '__subhost-init',
  '__exec-as',
  '__boot-in-namespaces',
];

/** Whether `word` is a verb: as PID 1 anything else is a kernel argument, and bootstrap boots. */
export function isVerb(word: string | undefined): boolean {
  return word === '--help' || word === '--version' || (word !== undefined && verbNames.includes(word));
}
