// readConfigFile: a regular file of at most 16 MiB; a directory, a device, a FIFO or a bigger file is refused at once with why.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, readConfigFile } from '../../../src/config/read-config-file';

const dir = mkdtempSync(join(tmpdir(), 'read-config-'));
const root = join(import.meta.dirname, '../../..');

// A sparse file: its size without its bytes on disk.
function fileOfSize(name: string, size: number): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return path;
}

function failureOf(path: string): { reason: string; message: string } {
  const read = readConfigFile(path);
  if (read.ok) throw new Error(`${path} was read`);
  return { reason: read.error.reason, message: read.error.message };
}

describe('readConfigFile', () => {
  it('reads a regular file', () => {
    const path = join(dir, 'ok.yaml');
    writeFileSync(path, 'postSwitch: {}\n');
    expect(readConfigFile(path)).toEqual({ ok: true, bytes: Buffer.from('postSwitch: {}\n') });
  });

  it('refuses a directory', () => {
    expect(failureOf(dir)).toEqual({ reason: 'not-regular', message: `cannot read ${dir}: it is a directory, not a config file` });
  });

  it('refuses /dev/zero and /dev/urandom without reading them', () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      expect(failureOf(device)).toEqual({ reason: 'not-regular', message: `cannot read ${device}: it is a character device, not a regular file; a config is a regular file, or standard input given as -` });
    }
  });

  it('reads a file of exactly 16 MiB and refuses one byte more, saying why', () => {
    expect(MAX_CONFIG_BYTES).toBe(16 * 1024 * 1024);
    const exact = readConfigFile(fileOfSize('exact.yaml', MAX_CONFIG_BYTES));
    expect(exact.ok && exact.bytes.length).toBe(MAX_CONFIG_BYTES);
    const big = fileOfSize('big.yaml', MAX_CONFIG_BYTES + 1);
    expect(failureOf(big)).toEqual({
      reason: 'too-large',
      message: `cannot read ${big}: it is 16777217 bytes, more than 16 MiB; a config is at most 16 MiB, a bound that keeps a wrong path such as /dev/zero from exhausting memory`,
    });
  });

  it('says what is missing, and refuses a path with NUL', () => {
    expect(failureOf(join(dir, 'missing.yaml'))).toEqual({ reason: 'not-found', message: `cannot read ${join(dir, 'missing.yaml')}: no such file` });
    expect(failureOf('a\0b').message).toBe('cannot read "a\\u0000b": a path cannot contain a NUL character');
  });

  it('refuses a FIFO without a writer at once instead of waiting for one', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // In a child: a blocking open would hang this worker beyond any test timeout.
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/helpers/read-config-file-child.ts'), fifo], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    expect(child.signal).toBeNull();
    expect(JSON.parse(child.stdout)).toEqual({ ok: false, reason: 'not-regular', message: `cannot read ${fifo}: it is a FIFO (named pipe), not a regular file; a config is a regular file, or standard input given as -` });
  });
});
