// The step handlers of a boot, one per step kind.
import type { Handlers } from '../exec/run-steps';
import { applySysctl, createSymlink, createTmpfile, setEnvironment } from '../exec/handlers/files';
import { runBootScript, runHook } from '../exec/handlers/hook';
import { loadModule } from '../exec/handlers/module';
import { mountFileSystem, mountVirtual } from '../exec/handlers/mount';
import { checkHandoff, switchRoot } from '../exec/handlers/switch-root';
import type { BootContext } from './boot-context';
import { realConsole } from './console-device';
import { handoff } from './handoff';

export const bootHandlers: Handlers<BootContext> = {
  console: (step, context) => {
    const device = step.device;
    // PID 1 holds the console as its controlling terminal on fds 0-2 (an exec handoff inherits it);
    // /dev/console itself cannot be one, so the real device behind it is taken.
    context.sys.takeConsole(realConsole(device), { controllingTerminal: true });
    context.console = device;
    context.logTo(device);
  },
  mountVirtual,
  loopback: (step, context) => (context.sys.bringLoopbackUp(step.interface) ? undefined : { skipped: `${step.interface} is already up` }),
  loadModule,
  mount: mountFileSystem,
  sysctl: applySysctl,
  symlink: createSymlink,
  tmpfile: createTmpfile,
  setEnv: setEnvironment,
  hook: runHook,
  checkHandoff,
  switchRoot,
  bootScript: runBootScript,
  handoff,
};
