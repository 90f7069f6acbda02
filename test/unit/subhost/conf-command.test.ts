// The real `!command` runner: /bin/sh -c in the config's directory, bounded by a timeout and an output cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConfCommand } from '../../../src/subhost/conf-command';
import { parseOverlayConf } from '../../../src/subhost/overlay-conf';

const directory = mkdtempSync(join(tmpdir(), 'conf-command-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('runConfCommand', () => {
  it('gives the standard output of /bin/sh -c', () => {
    expect(runConfCommand('echo x', directory)).toEqual({ ok: true, stdout: 'x\n' });
  });

  it('runs in the given directory', () => {
    const result = runConfCommand('pwd -P', directory);
    expect(result.ok && result.stdout).toContain('conf-command-');
  });

  it('a non-zero status is not ok, with the status and the first line of stderr', () => {
    const result = runConfCommand('echo nope >&2; exit 3', directory);
    expect(result).toEqual({ ok: false, reason: 'exited with status 3: nope' });
  });

  it('a command that would hang is killed at the timeout', () => {
    const started = Date.now();
    const result = runConfCommand('trap "" TERM; sleep 30', directory, 200);
    expect(result).toEqual({ ok: false, reason: 'timed out after 200 ms' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('more than 1 MiB of output is not ok', () => {
    const result = runConfCommand('head -c 2000000 /dev/zero', directory);
    expect(!result.ok && result.reason).toContain('more than 1048576 bytes');
  });

  it('a missing directory is not ok and says why', () => {
    const result = runConfCommand('true', join(directory, 'absent'));
    expect(!result.ok && result.reason).toContain('could not run /bin/sh');
  });

  it('drives parseOverlayConf: the value is the output, a failure names the line', () => {
    const file = join(directory, 'sub.conf');
    const runCommand = (command: string): ReturnType<typeof runConfCommand> => runConfCommand(command, directory, 2_000);
    expect(parseOverlayConf('BASE=.\nSTART=!echo ssh cron\n', { file, runCommand }).conf?.start).toEqual(['ssh', 'cron']);
    const { diagnostics } = parseOverlayConf('BASE=.\nSTART=!exit 1\n', { file, runCommand });
    expect(diagnostics).toMatchObject([{ line: 2, code: 'command-failed' }]);
    expect(diagnostics[0]?.message).toContain('exited with status 1');
  });
});
