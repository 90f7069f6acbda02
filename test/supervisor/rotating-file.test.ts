// Size-based rotation of a service's log file, on a real temporary directory.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRotatingFile } from '../../src/supervisor/rotating-file';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openRotatingFile', () => {
  it('creates its directory, appends to what is there, and rotates before a write would pass maxSize', () => {
    dir = mkdtempSync(join(tmpdir(), 'rotating-'));
    const file = join(dir, 'logs/app.log');
    const errors: string[] = [];
    const log = openRotatingFile(file, 20, 2, (message) => errors.push(message));
    for (const line of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd', 'eeeeeeee', 'ffffffff', 'gggggggg']) log.write(`${line}\n`);
    log.close();
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['app.log', 'app.log.1', 'app.log.2']);
    expect(readFileSync(file, 'utf8')).toBe('gggggggg\n');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('eeeeeeee\nffffffff\n');
    expect(readFileSync(`${file}.2`, 'utf8')).toBe('cccccccc\ndddddddd\n');
    expect(errors).toEqual([]);
  });

  it('keeps no old file with maxFiles 0, and writes a line longer than maxSize whole', () => {
    dir = mkdtempSync(join(tmpdir(), 'rotating-'));
    const file = join(dir, 'app.log');
    writeFileSync(file, '0123456789');
    const log = openRotatingFile(file, 12, 0, () => undefined);
    log.write('abc\n');
    log.write('a line longer than twelve bytes\n');
    log.close();
    expect(readdirSync(dir)).toEqual(['app.log']);
    expect(readFileSync(file, 'utf8')).toBe('a line longer than twelve bytes\n');
    expect(existsSync(`${file}.1`)).toBe(false);
  });

  it('reports a file it cannot write once, instead of throwing', () => {
    dir = mkdtempSync(join(tmpdir(), 'rotating-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const errors: string[] = [];
    const log = openRotatingFile(join(dir, 'not-a-dir/app.log'), 100, 1, (message) => errors.push(message));
    log.write('one\n');
    log.write('two\n');
    log.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`log file ${join(dir, 'not-a-dir/app.log')}: `);
  });
});
