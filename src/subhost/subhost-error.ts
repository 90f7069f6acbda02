// A subhost verb's refusal or failure whose message says everything; the verb prints it and exits 1.
export class SubhostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubhostError';
  }
}
