// The step handlers of a boot, one per step kind.
import type { Handlers } from '../exec/run-steps';
import { applySysctl, createSymlink, createTmpfile, setEnvironment } from '../exec/handlers/files';
import { runBootScript, runHook } from '../exec/handlers/hook';
import { builtinModule, loadModule } from '../exec/handlers/module';
import { mountFileSystem, mountVirtual } from '../exec/handlers/mount';
import { configureInterface, setHostname, writeResolvConf } from '../exec/handlers/network';
import { checkHandoff, switchRoot } from '../exec/handlers/switch-root';
import type { BootContext } from './boot-context';
import { enterNamespaces } from './enter-namespaces';
import { handoff } from './handoff';

export const bootHandlers: Handlers<BootContext> = {
  // PID 1 holds the console as its controlling terminal on fds 0-2 (an exec handoff inherits it); only a
  // machine's init does: in a namespace the console is the host's.
  console: (step, context) => {
    if (!context.runtime.ownsConsole) return { skipped: `not the machine's init: ${step.device} is the host's console` };
    context.runtime.takeConsole(step.device);
    return undefined;
  },
  namespaces: enterNamespaces,
  mountVirtual,
  loopback: (step, context) => (context.sys.bringLoopbackUp(step.interface) ? undefined : { skipped: `${step.interface} is already up` }),
  loadModule,
  builtinModule,
  mount: mountFileSystem,
  sysctl: applySysctl,
  symlink: createSymlink,
  tmpfile: createTmpfile,
  setEnv: setEnvironment,
  network: configureInterface,
  resolvConf: writeResolvConf,
  hostname: setHostname,
  hook: runHook,
  checkHandoff,
  switchRoot,
  bootScript: runBootScript,
  handoff,
};
