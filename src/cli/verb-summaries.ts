// One line per verb for `bootstrap --help`, shared by the verbs and the list that loads them on use.

export const verbSummaries = {
  pack: 'write an initramfs with bootstrap as /init, its libraries, the config and its modules',
  boot: 'run the boot sequence as the kernel would start it as /init (needs root)',
  supervise: 'run the services of a supervise handoff: as PID 1 of a container, or as a subreaper',
  subhost: 'start, enter, stop, list subhosts: a root overlaid on the host\'s, in namespaces of its own',
  vm: 'boot a directory (the host\'s / by default) in QEMU with bootstrap as init and run a command in it',
  ctl: 'talk to a running supervisor: status, start, stop, restart, logs, poweroff, reboot',
} as const;
