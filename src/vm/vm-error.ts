// The error of `bootstrap vm` itself (a missing kernel, tool or directory, a guest that failed to start): one line, exit 2.

/** A failure of vm's own, said in one line that names what is missing or what to do. */
export class VmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VmError';
  }
}
