// struct loop_config as we write it against the C compiler's view of <linux/loop.h>: offsets, size, and the bytes read back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLoopConfig, LO_FLAGS_AUTOCLEAR, LO_FLAGS_READ_ONLY, loopConfigLayout } from '../../../src/sys/loop-config';

// Prints the layout as JSON, then decodes a struct read from stdin.
const program = `
#include <stddef.h>
#include <stdio.h>
#include <linux/loop.h>
#define AT(field) offsetof(struct loop_config, field)
int main(void) {
  printf("{\\"size\\":%zu,\\"fd\\":%zu,\\"blockSize\\":%zu,\\"info\\":%zu,\\"infoSize\\":%zu,\\"offset\\":%zu,\\"sizeLimit\\":%zu,\\"flags\\":%zu,\\"fileName\\":%zu,\\"reserved\\":%zu}\\n",
    sizeof(struct loop_config), AT(fd), AT(block_size), AT(info), sizeof(struct loop_info64), AT(info.lo_offset),
    AT(info.lo_sizelimit), AT(info.lo_flags), AT(info.lo_file_name), AT(__reserved));
  struct loop_config config;
  if (fread(&config, sizeof config, 1, stdin) != 1) return 1;
  config.info.lo_file_name[LO_NAME_SIZE - 1] = 0;
  printf("%u %u %s\\n", config.fd, config.info.lo_flags, (char *)config.info.lo_file_name);
  return 0;
}
`;

describe('struct loop_config', () => {
  let scratch: string;
  let binary: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'loop-config-'));
    writeFileSync(join(scratch, 'layout.c'), program);
    binary = join(scratch, 'layout');
    execFileSync('cc', ['-o', binary, join(scratch, 'layout.c')]);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const run = (input: Buffer): [Record<string, number>, string] => {
    const [layout = '', decoded = ''] = execFileSync(binary, { input, encoding: 'utf8' }).trim().split('\n');
    return [JSON.parse(layout) as Record<string, number>, decoded];
  };

  it('has the offsets and size the C compiler gives <linux/loop.h>', () => {
    const [layout] = run(encodeLoopConfig({ fd: 0, flags: 0, fileName: '' }));
    expect(layout).toEqual({ ...loopConfigLayout });
  });

  it('is read by C as the descriptor, flags and file name written', () => {
    const bytes = encodeLoopConfig({ fd: 1234567, flags: LO_FLAGS_AUTOCLEAR | LO_FLAGS_READ_ONLY, fileName: '/var/lib/images/root.ext4' });
    expect(bytes).toHaveLength(304);
    expect(run(bytes)[1]).toBe('1234567 5 /var/lib/images/root.ext4');
  });

  it('cuts a file name to the 63 bytes lo_file_name holds, leaving its NUL', () => {
    const long = `/${'x'.repeat(100)}`;
    const bytes = encodeLoopConfig({ fd: 3, flags: 0, fileName: long });
    expect(bytes[loopConfigLayout.fileName + 63]).toBe(0);
    expect(run(bytes)[1]).toBe(`3 0 ${long.slice(0, 63)}`);
  });
});
