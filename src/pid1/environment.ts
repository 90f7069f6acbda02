// The environment PID 1's children start from: what the kernel (or the container) gave bootstrap, without
// Node's own variables, over defaults a boot needs.
import { DEFAULT_PATH } from '../exec/run-command';

/** PATH, HOME and TERM defaults, overridden by bootstrap's own environment minus NODE_* variables. */
export function inheritedEnvironment(): Record<string, string> {
  // No prototype: variable names are data, and one named __proto__ must be kept like any other.
  const env = Object.assign(Object.create(null) as Record<string, string>, { PATH: DEFAULT_PATH, HOME: '/', TERM: 'linux' });
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('NODE_')) env[key] = value;
  }
  return env;
}
