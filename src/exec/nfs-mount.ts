// An NFS export's mount: wait (bounded) for the server's ports, then mount(2) with each NFS version in turn while the
// server has not the one asked for; a failure names the server and the export.
import type { StepOf } from '../plan/step';
import { SysError } from '../sys/index';
import type { BaseContext } from './context';
import { waitForServer, type ServerWait } from './server-wait';

/** Mounts `step` (an NFS export) once its server answers; throws SysError (connect or mount) otherwise. */
export async function mountNfsExport(step: StepOf<'mount'>, wait: ServerWait, flags: number, context: BaseContext): Promise<void> {
  const { attempts } = await waitForServer(wait, context.sys);
  context.log.debug(`NFS server ${wait.server} answers on port ${wait.ports.join(' and ')} (${attempts} tries)`);
  for (const [index, version] of wait.versions.entries()) {
    try {
      context.sys.mount({ source: step.device, target: step.target, fsType: step.fsType, flags, data: withVersion(step.options, version) });
      return;
    } catch (error) {
      if (!(error instanceof SysError)) throw error;
      const next = wait.versions[index + 1];
      // What the kernel says when the server has not this minor version (NFS4ERR_MINOR_VERS_MISMATCH).
      if (error.code === 'EPROTONOSUPPORT' && next !== undefined) {
        context.log.info(`NFS server ${wait.server} has no NFS ${version}; trying ${next}`);
        continue;
      }
      throw new SysError({ syscall: error.syscall, errno: error.errno, args: error.args, hint: `NFS server ${wait.server} refused or failed export ${wait.export}` });
    }
  }
}

// The options with their vers= (planned first, always present for NFS) set to `version`.
function withVersion(options: string, version: string): string {
  return options
    .split(',')
    .map((option) => (option.startsWith('vers=') ? `vers=${version}` : option))
    .join(',');
}
