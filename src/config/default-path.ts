// Where the boot looks for its config when the kernel command line names none, and where pack puts it.
export const DEFAULT_CONFIG_PATH = '/etc/bootstrap/bootstrap.yaml';
