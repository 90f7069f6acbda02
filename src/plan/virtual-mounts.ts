// The virtual filesystems every boot mounts before anything the config asks for.

/** A mount PID 1 makes by itself, before the config's own. */
export interface VirtualMount {
  fsType: string;
  target: string;
  options: string;
  flags: ('MS_NOSUID' | 'MS_NODEV' | 'MS_NOEXEC')[];
}

/** The virtual filesystems every boot mounts first, each skipped when already mounted. */
export const virtualMounts: VirtualMount[] = [
  { fsType: 'proc', target: '/proc', options: '', flags: ['MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC'] },
  { fsType: 'sysfs', target: '/sys', options: '', flags: ['MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC'] },
  { fsType: 'devtmpfs', target: '/dev', options: 'mode=0755', flags: ['MS_NOSUID'] },
  { fsType: 'devpts', target: '/dev/pts', options: 'gid=5,mode=0620,ptmxmode=0666', flags: ['MS_NOSUID', 'MS_NOEXEC'] },
  { fsType: 'tmpfs', target: '/dev/shm', options: 'mode=1777', flags: ['MS_NOSUID', 'MS_NODEV'] },
  { fsType: 'tmpfs', target: '/run', options: 'mode=0755', flags: ['MS_NOSUID', 'MS_NODEV'] },
];
