// Translates a mount as users write it (type virtiofs, tag, readOnly, …) into what mount(2) takes.
import type { Mount, MountOptions, RootFileSystem } from '../config/generated/config-types';
import { parseDuration } from '../config/duration';
import { idMapRanges } from '../config/id-map';
import { nfsCall } from './nfs-options';
import type { MountFlag, MountIdMap, MountWait } from './step';

export interface MountCall {
  fsType: string;
  device: string;
  flags: MountFlag[];
  options: string;
  wait: MountWait | undefined;
  /** Set for an idmapped bind. */
  idMap: MountIdMap | undefined;
}

const flagOf: [keyof MountOptions, MountFlag][] = [
  ['readOnly', 'MS_RDONLY'],
  ['noExec', 'MS_NOEXEC'],
  ['noSuid', 'MS_NOSUID'],
  ['noDev', 'MS_NODEV'],
  ['sync', 'MS_SYNCHRONOUS'],
  ['dirSync', 'MS_DIRSYNC'],
  ['mandatoryLocks', 'MS_MANDLOCK'],
  ['posixAcl', 'MS_POSIXACL'],
];

const atimeFlag: Record<NonNullable<MountOptions['atime']>, MountFlag> = {
  noAtime: 'MS_NOATIME',
  relAtime: 'MS_RELATIME',
  strictAtime: 'MS_STRICTATIME',
  lazyTime: 'MS_LAZYTIME',
};

/** The MS_* flags a mount's options ask for, in a fixed order. */
export function mountFlags(options: MountOptions): MountFlag[] {
  const flags = flagOf.filter(([key]) => options[key] === true).map(([, flag]) => flag);
  if (options.atime) flags.push(atimeFlag[options.atime]);
  return flags;
}

function joinOptions(...parts: (string | undefined)[]): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join(',');
}

/** The mount(2) call for a mount or root filesystem. */
export function mountCall(spec: Mount | RootFileSystem): MountCall {
  const flags = mountFlags(spec);
  const timeoutMs = parseDuration(spec.timeout);
  switch (spec.type) {
    case 'virtiofs':
      return { fsType: 'virtiofs', device: spec.tag, flags, options: joinOptions(spec.options), wait: { kind: 'tag', fsType: 'virtiofs', tag: spec.tag, timeoutMs }, idMap: undefined };
    case '9p':
      return { fsType: '9p', device: spec.tag, flags, options: joinOptions('trans=virtio,version=9p2000.L', spec.options), wait: { kind: 'tag', fsType: '9p', tag: spec.tag, timeoutMs }, idMap: undefined };
    case 'device':
      return { fsType: spec.fsType ?? 'auto', device: spec.device, flags, options: joinOptions(spec.options), wait: { kind: 'device', device: spec.device, timeoutMs }, idMap: undefined };
    case 'nfs': {
      const nfs = nfsCall(spec, spec.options);
      return { fsType: nfs.fsType, device: nfs.device, flags, options: nfs.options, wait: { kind: 'server', server: spec.server, export: spec.export, ports: nfs.ports, versions: nfs.versions, timeoutMs }, idMap: undefined };
    }
    case 'overlay': {
      const lower = Array.isArray(spec.lower) ? spec.lower.join(':') : spec.lower;
      return { fsType: 'overlay', device: 'overlay', flags, options: joinOptions(`lowerdir=${lower},upperdir=${spec.upper},workdir=${spec.work}`, spec.options), wait: undefined, idMap: undefined };
    }
    case 'tmpfs':
      return { fsType: 'tmpfs', device: 'tmpfs', flags, options: joinOptions(spec.size && `size=${spec.size}`, spec.mode && `mode=${spec.mode}`, spec.options), wait: undefined, idMap: undefined };
    case 'bind':
      return {
        fsType: 'none',
        device: spec.source,
        flags: ['MS_BIND', ...flags],
        options: joinOptions(spec.options),
        wait: undefined,
        // Validation checked the ranges (lint), so this cannot throw for a config that passed it.
        idMap: spec.idMap && { users: idMapRanges(spec.idMap.users), groups: idMapRanges(spec.idMap.groups) },
      };
  }
}
