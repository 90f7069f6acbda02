// struct mount_attr as we write it against the C compiler's view of <linux/mount.h>.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AT_EMPTY_PATH, AT_RECURSIVE, encodeMountAttr, MOUNT_ATTR_IDMAP, MOUNT_ATTR_RDONLY, mountAttrLayout, MOVE_MOUNT_F_EMPTY_PATH, OPEN_TREE_CLONE } from '../../../src/sys/mount-api';

const program = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/mount.h>
int main(void) {
  struct mount_attr attr;
  printf("{\\"size\\":%zu,\\"attrSet\\":%zu,\\"attrClear\\":%zu,\\"propagation\\":%zu,\\"usernsFd\\":%zu}\\n", sizeof attr,
    offsetof(struct mount_attr, attr_set), offsetof(struct mount_attr, attr_clr), offsetof(struct mount_attr, propagation), offsetof(struct mount_attr, userns_fd));
  printf("%d %d %d %d %d %d %d\\n", MOUNT_ATTR_SIZE_VER0, MOUNT_ATTR_IDMAP, MOUNT_ATTR_RDONLY, OPEN_TREE_CLONE, AT_RECURSIVE, AT_EMPTY_PATH, MOVE_MOUNT_F_EMPTY_PATH);
  if (fread(&attr, sizeof attr, 1, stdin) != 1) return 1;
  printf("%llx %llx %llx %llu\\n", (unsigned long long)attr.attr_set, (unsigned long long)attr.attr_clr, (unsigned long long)attr.propagation, (unsigned long long)attr.userns_fd);
  return 0;
}
`;

describe('struct mount_attr and the new mount API constants', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'mount-attr-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('match <linux/mount.h>, and C reads back the fields written', () => {
    writeFileSync(join(scratch, 'attr.c'), program);
    execFileSync('cc', ['-o', join(scratch, 'attr'), join(scratch, 'attr.c')]);
    const input = encodeMountAttr({ attrSet: MOUNT_ATTR_IDMAP, attrClear: MOUNT_ATTR_RDONLY, propagation: 0x40000, usernsFd: 1234 });
    const [layout = '', constants = '', decoded = ''] = execFileSync(join(scratch, 'attr'), { input, encoding: 'utf8' }).trim().split('\n');
    expect(JSON.parse(layout)).toEqual({ ...mountAttrLayout });
    expect(constants.split(' ').map(Number)).toEqual([mountAttrLayout.size, MOUNT_ATTR_IDMAP, MOUNT_ATTR_RDONLY, OPEN_TREE_CLONE, AT_RECURSIVE, AT_EMPTY_PATH, MOVE_MOUNT_F_EMPTY_PATH]);
    expect(decoded).toBe('100000 1 40000 1234');
  });
});
