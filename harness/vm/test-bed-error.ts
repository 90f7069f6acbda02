// The error the harness throws when the bed itself is not usable (missing cache, failed tool), as opposed to a guest failing.

/** A test-bed problem with a message that says how to fix it. */
export class TestBedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TestBedError';
  }
}
