// Every rtnetlink number and struct size we use, against the C compiler's view of the installed uapi headers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as constants from '../../../src/sys/netlink/constants';
import { IFADDRMSG_SIZE, IFINFOMSG_SIZE, RTMSG_SIZE } from '../../../src/sys/netlink/structs';
import { NLMSG_HEADER_SIZE } from '../../../src/sys/netlink/encode';

const names = Object.keys(constants) as (keyof typeof constants)[];

const structs = {
  'sizeof(struct nlmsghdr)': NLMSG_HEADER_SIZE,
  'sizeof(struct ifinfomsg)': IFINFOMSG_SIZE,
  'offsetof(struct ifinfomsg, ifi_index)': 4,
  'offsetof(struct ifinfomsg, ifi_flags)': 8,
  'offsetof(struct ifinfomsg, ifi_change)': 12,
  'sizeof(struct ifaddrmsg)': IFADDRMSG_SIZE,
  'offsetof(struct ifaddrmsg, ifa_index)': 4,
  'sizeof(struct rtmsg)': RTMSG_SIZE,
  'offsetof(struct rtmsg, rtm_table)': 4,
  'offsetof(struct rtmsg, rtm_flags)': 8,
  'sizeof(struct nlmsgerr)': 20,
  'sizeof(struct sockaddr_nl)': 12,
  'sizeof(struct rtattr)': 4,
};

const program = `
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <poll.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/veth.h>
#include <linux/if.h>
int main(void) {
${names.map((name) => `  printf("%s %ld\\n", "${name}", (long)${name === 'NLA_TYPE_MASK' ? '(unsigned short)' : ''}(${name}));`).join('\n')}
${Object.keys(structs).map((expression) => `  printf("%s %ld\\n", "${expression}", (long)(${expression}));`).join('\n')}
  return 0;
}
`;

describe('rtnetlink constants and struct layouts', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'netlink-constants-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('match <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if_addr.h>, <linux/veth.h>, <linux/if.h>', () => {
    writeFileSync(join(scratch, 'constants.c'), program);
    execFileSync('cc', ['-o', join(scratch, 'constants'), join(scratch, 'constants.c')]);
    const printed = new Map(
      execFileSync(join(scratch, 'constants'), { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map((line) => {
          const space = line.lastIndexOf(' ');
          return [line.slice(0, space), Number(line.slice(space + 1))] as const;
        }),
    );
    const ours = new Map<string, number>([...names.map((name) => [name, constants[name]] as const), ...Object.entries(structs)]);
    expect(Object.fromEntries(printed)).toEqual(Object.fromEntries(ours));
    expect(printed.size).toBeGreaterThan(70);
  });
});
