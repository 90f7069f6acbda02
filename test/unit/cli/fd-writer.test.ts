// fdWriter on a real FIFO: the text arrives whole; once the reader is gone (EPIPE) writes are dropped, never thrown.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fdWriter } from '../../../src/cli/fd-writer';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fifo(): { reader: number; writer: number } {
  dir = mkdtempSync(join(tmpdir(), 'fd-writer-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY);
  return { reader, writer };
}

describe('fdWriter', () => {
  it('writes the text whole', () => {
    const { reader, writer } = fifo();
    fdWriter(writer)('héllo\n');
    const buffer = Buffer.alloc(64);
    expect(buffer.toString('utf8', 0, readSync(reader, buffer))).toBe('héllo\n');
    closeSync(reader);
    closeSync(writer);
  });

  it('drops the output once nobody reads (EPIPE), without throwing', () => {
    const { reader, writer } = fifo();
    closeSync(reader);
    const write = fdWriter(writer);
    expect(() => write('lost\n')).not.toThrow();
    expect(() => write('lost too\n')).not.toThrow();
    closeSync(writer);
  });
});
