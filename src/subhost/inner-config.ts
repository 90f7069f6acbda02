// The config a subhost's PID 1 boots with: the subhost's own keys are `subhost start`'s business, not the boot's.
import type { Config } from '../config/generated/config-types';

/** The config PID 1 boots: the subhost's own keys were used by `start`; a subhost has no console for a shell. */
export function innerConfig(config: Config): Config {
  const inner: Config = { ...config, emergency: { action: 'poweroff', shell: '/bin/sh', ...config.emergency } };
  delete inner.subhost;
  delete inner.namespaces;
  delete inner.idMap;
  return inner;
}
