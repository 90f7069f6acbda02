// `bootstrap supervise --socket PATH`: a relative path means the directory the command ran in, as for any tool.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPid1Program } from '../supervise/run-supervisor';

const config = `postSwitch:
  handoff:
    mode: supervise
    processes:
      app: {program: /bin/sh, arguments: [-c, "echo up; exec sleep 30"], main: true}
`;

describe('supervise --socket', () => {
  it('resolves a relative socket path from the working directory, not from /', async () => {
    const supervisor = await startPid1Program(config, (file) => ['supervise', '--config', file, '--socket', 'sockets/control.sock']);
    await supervisor.waitFor(/app: up/);
    const socket = join(supervisor.dir, 'sockets/control.sock');
    for (let tries = 0; tries < 250 && !existsSync(socket); tries++) await new Promise((done) => setTimeout(done, 20));
    expect(statSync(socket).isSocket(), supervisor.output()).toBe(true);
    expect(existsSync('/sockets/control.sock')).toBe(false);
    supervisor.signal('SIGTERM');
    expect(await supervisor.exited, supervisor.output()).toBe(143);
  });
});
