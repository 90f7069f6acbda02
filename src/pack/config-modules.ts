// Which modules a config loads from the initramfs, so `pack` and `vm` put the same ones into an image.
import type { Config } from '../config/generated/config-types';
import { impliedModules } from '../plan/build-plan';

/**
 * The modules a config loads from the initramfs: they go into the image with their dependencies. After a switch,
 * postSwitch modules load from the real root's tree, and the initramfs's files are gone by then.
 */
export function configModules(config: Config): string[] {
  const phases = config.switchRoot ? [config.preSwitch?.modules] : [config.preSwitch?.modules, config.postSwitch.modules];
  return [...phases.flatMap((modules) => modules?.names ?? []), ...impliedModules(config)];
}
