// Turns an error thrown by Node's fs or process API into a SysError, so callers meet one error type.
import { SysError } from './sys-error';

interface NodeSystemError extends Error {
  errno?: number;
  code?: string;
  syscall?: string;
}

/** The SysError equivalent of a Node system error; other errors (bugs) are rethrown unchanged. */
export function fromNodeError(error: unknown, fallbackSyscall: string, args: Record<string, unknown>): Error {
  const system = error as NodeSystemError;
  if (!(error instanceof Error) || typeof system.errno !== 'number') return error instanceof Error ? error : new Error(String(error));
  // libuv reports errno negated.
  return new SysError({ syscall: system.syscall ?? fallbackSyscall, errno: Math.abs(system.errno), args });
}

/** Runs a Node call, converting its system errors into SysErrors. */
export function viaNode<T>(syscall: string, args: Record<string, unknown>, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw fromNodeError(error, syscall, args);
  }
}
