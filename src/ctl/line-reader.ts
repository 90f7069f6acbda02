// Splits a byte stream into newline-terminated lines, refusing to buffer a line beyond a limit.

/** What one chunk gave: the lines it completed and whether a line then grew past the limit. */
export interface LineChunk {
  lines: string[];
  /** A line exceeded the limit: the reader dropped it and takes no more input. */
  overflow: boolean;
}

/** Collects chunks and hands back whole lines (without "\n"), decoded as UTF-8 only once complete so no character is split. */
export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private spent = false;

  constructor(readonly maxBytes: number) {}

  /** The lines `chunk` completes, in order; after an overflow every later chunk is ignored. */
  push(chunk: Buffer): LineChunk {
    const lines: string[] = [];
    if (this.spent) return { lines, overflow: true };
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      if (!this.take(chunk.subarray(start, end))) return { lines, overflow: true };
      lines.push(Buffer.concat(this.pending, this.pendingBytes).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      start = end + 1;
    }
    return { lines, overflow: !this.take(chunk.subarray(start)) };
  }

  private take(part: Buffer): boolean {
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxBytes) {
      this.pending = [];
      this.spent = true;
      return false;
    }
    if (part.length > 0) this.pending.push(part);
    return true;
  }
}
