// struct init_request (sysvinit's initreq.h) as telinit writes it, and what is not one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRunlevelRequest, INIT_MAGIC, INIT_REQUEST_SIZE, parseInitRequest, parseInitRequests } from '../../../src/pid1/init-request';

// initreq.h's struct, as sysvinit declares it, compiled by cc: its size, and a request it writes.
const program = `
#include <stdio.h>
#include <string.h>
#define INIT_MAGIC 0x03091969
#define INIT_CMD_RUNLVL 1
struct init_request_bsd { char gen_id[8]; char tty_id[16]; char host[64]; char term_type[16]; int signal; int pid; char exec_name[128]; char reserved[128]; };
struct init_request { int magic; int cmd; int runlevel; int sleeptime; union { struct init_request_bsd bsd; char data[368]; } i; };
int main(void) {
  struct init_request request;
  memset(&request, 0, sizeof request);
  request.magic = INIT_MAGIC; request.cmd = INIT_CMD_RUNLVL; request.runlevel = '6'; request.sleeptime = 5;
  fprintf(stderr, "%zu\\n", sizeof request);
  fwrite(&request, sizeof request, 1, stdout);
  return 0;
}
`;

describe('init requests', () => {
  it('match the C struct: 384 bytes, and a request C writes parses as its runlevel', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'initreq-'));
    try {
      writeFileSync(join(scratch, 'request.c'), program);
      execFileSync('cc', ['-o', join(scratch, 'request'), join(scratch, 'request.c')]);
      const output = execFileSync(join(scratch, 'request'), { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(output).toHaveLength(INIT_REQUEST_SIZE);
      expect(parseInitRequest(output)).toEqual({ kind: 'runlevel', runlevel: '6', sleepSeconds: 5 });
      expect(encodeRunlevelRequest('6').subarray(0, 12)).toEqual(output.subarray(0, 12));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a read holding several requests gives each, and bytes left over are one malformed entry', () => {
    const two = Buffer.concat([encodeRunlevelRequest('0'), encodeRunlevelRequest('3'), Buffer.from('tail')]);
    expect(parseInitRequests(two)).toEqual([
      { kind: 'runlevel', runlevel: '0', sleepSeconds: 0 },
      { kind: 'runlevel', runlevel: '3', sleepSeconds: 0 },
      { kind: 'malformed', reason: '4 bytes, not the 384 of a request' },
    ]);
    expect(parseInitRequests(Buffer.from('garbage\n'))).toEqual([{ kind: 'malformed', reason: '8 bytes, not the 384 of a request' }]);
  });

  it('a bad magic, another command or an unprintable runlevel are told apart', () => {
    expect(parseInitRequest(encodeRunlevelRequest('0', 0x12345678))).toEqual({ kind: 'malformed', reason: 'bad magic 0x12345678 (not 0x03091969)' });
    const setenv = encodeRunlevelRequest('0');
    setenv.writeInt32LE(6, 4);
    expect(parseInitRequest(setenv)).toEqual({ kind: 'command', command: 6, name: 'INIT_CMD_SETENV' });
    expect(parseInitRequest(encodeRunlevelRequest('\u0000'))).toMatchObject({ kind: 'malformed', reason: 'runlevel 0 is not a printable character' });
    expect(INIT_MAGIC).toBe(0x03091969);
  });
});
