// `bootstrap ctl` end to end against a real control socket: output, exit codes, usage errors and help.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args';
import type { CliIo } from '../../src/cli/io';
import { ctlVerb } from '../../src/cli/verbs/ctl';
import { startControlServer, type ControlServer } from '../../src/ctl/server';
import { fakeControl, type FakeControl } from './fake-control';

const node = join(resolve(import.meta.dirname, '../..'), 'node_modules/.bin/node');
const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

/** Runs `bootstrap ctl ...args` in-process and captures what it printed. */
async function ctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readInput: () => ({ ok: true, bytes: new Uint8Array() }),
    readOptional: () => undefined,
  };
  const code = await ctlVerb.run(args, io);
  return { code, stdout, stderr };
}

let dir: string;
let path: string;
let control: FakeControl;
let server: ControlServer | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bootstrap-ctl-verb-'));
  path = join(dir, 'control.sock');
  control = fakeControl();
  server = await startControlServer({ path, control, log: quiet });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('bootstrap ctl', () => {
  it('prints status as a table and as JSON', async () => {
    const text = await ctl('--socket', path, 'status');
    expect(text.code).toBe(0);
    const [header, db, web, footnote] = text.stdout.split('\n');
    expect(header).toMatch(/^NAME +STATE +PID +STARTS +RESTARTS +LAST-EXIT +SINCE +WAITING-FOR$/);
    expect(db?.split(/ +/)).toEqual(['db', 'ready', '101', '1', '0', '-', expect.stringMatching(/^\d+d\d\dh$/) as unknown, '-']);
    expect(web?.split(/ +/)).toEqual(['web*', 'backoff', '-', '3', '2', '137', 'SIGKILL', expect.stringMatching(/^\d+d\d\dh$/) as unknown, '-']);
    expect(footnote).toBe('* the main service');

    const json = await ctl('status', '--output', 'json', '--socket', path);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ services: control.status() });
  });

  it('starts, stops and restarts services, prints logs, powers off and reboots, each exiting 0', async () => {
    for (const args of [['start', 'db'], ['stop', 'db'], ['restart', 'db'], ['poweroff'], ['reboot']]) {
      expect(await ctl('--socket', path, ...args)).toEqual({ code: 0, stdout: '', stderr: '' });
    }
    expect(await ctl('--socket', path, 'logs', 'db', '--lines', '2')).toEqual({ code: 0, stdout: 'db 2\ndb 3\n', stderr: '' });
    expect(await ctl('--socket', path, 'logs', 'db')).toEqual({ code: 0, stdout: 'db 1\ndb 2\ndb 3\n', stderr: '' });
    expect(control.calls).toEqual(['start db', 'stop db', 'restart db', 'poweroff', 'reboot', 'logs db 2', 'logs db 50']);
  });

  it('follows logs until the supervisor goes away', async () => {
    const run = ctl('--socket', path, 'logs', 'db', '--follow', '--lines', '1');
    for (let tries = 0; control.followers('db') === 0 && tries < 500; tries++) await new Promise((done) => setTimeout(done, 10));
    control.emit('db', 'db 4');
    await new Promise((done) => setTimeout(done, 50));
    await server?.close();
    server = undefined;
    expect(await run).toEqual({ code: 0, stdout: 'db 3\ndb 4\n', stderr: '' });
  });

  it('exits 1 with the supervisor\'s message for an unknown service or a failed stop', async () => {
    expect(await ctl('--socket', path, 'stop', 'nope')).toEqual({ code: 1, stdout: '', stderr: 'bootstrap ctl: no service named "nope"; services: db, web\n' });
    expect(await ctl('--socket', path, 'logs', 'nope', '--follow')).toEqual({ code: 1, stdout: '', stderr: 'bootstrap ctl: no service named "nope"; services: db, web\n' });
    expect(await ctl('--socket', path, 'stop', 'web')).toEqual({ code: 1, stdout: '', stderr: 'bootstrap ctl: web did not stop: still running after SIGKILL\n' });
  });

  it('exits 2 when no supervisor listens: no socket file (ENOENT), or a stale one (ECONNREFUSED)', async () => {
    const missing = join(dir, 'missing.sock');
    expect(await ctl('--socket', missing, 'status')).toEqual({
      code: 2,
      stdout: '',
      stderr: `bootstrap ctl: cannot reach the supervisor at ${missing}: ENOENT (No such file or directory) — is bootstrap supervising here?\n`,
    });
    const stale = join(dir, 'stale.sock');
    const left = spawnSync(node, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
    expect(left.status).toBe(0);
    const refused = await ctl('--socket', stale, 'stop', 'db');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`bootstrap ctl: cannot reach the supervisor at ${stale}: ECONNREFUSED (Connection refused) — is bootstrap supervising here?\n`);
    expect(await ctl('--socket', missing, 'logs', 'db', '--follow')).toMatchObject({ code: 2 });
  });

  it('rejects usage mistakes with a UsageError naming the fix', async () => {
    const usage = async (args: string[], message: string, verb: string): Promise<void> => {
      const error = await ctl(...args).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error).toMatchObject({ message, verb });
    };
    await usage([], 'missing COMMAND, one of status, start, stop, restart, logs, poweroff, reboot', 'ctl');
    await usage(['stats'], 'unknown command "stats"; did you mean status?', 'ctl');
    await usage(['stop'], 'missing NAME, the service', 'ctl stop');
    await usage(['status', 'db'], 'unexpected argument "db"', 'ctl status');
    await usage(['start', 'a', 'b'], 'unexpected argument "b"', 'ctl start');
    await usage(['status', '--follow'], '--follow is not an option of status', 'ctl status');
    await usage(['logs', 'db', '--output', 'json'], '--output is not an option of logs', 'ctl logs');
    await usage(['logs', 'db', '--lines', 'ten'], '--lines must be a whole number from 0 to 100000, not "ten"', 'ctl logs');
    await usage(['logs', 'db', '--lines', '-1'], '--lines must be a whole number from 0 to 100000, not "-1"', 'ctl logs');
    await usage(['status', '--output', 'yaml'], '--output must be one of text, json, not "yaml"', 'ctl');
    await usage(['--sock', path, 'status'], 'unknown option --sock; known options: --socket, --output, --lines, --follow, --timeout, --help', 'ctl');
    expect(control.calls).toEqual([]);
  });

  it('has help for the verb and for each command', async () => {
    const help = await ctl('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: bootstrap ctl [--socket PATH] COMMAND [ARGUMENTS]');
    for (const command of ['status', 'start', 'stop', 'restart', 'logs', 'poweroff', 'reboot']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      const own = await ctl(command, '--help');
      expect(own.code).toBe(0);
      expect(own.stdout).toMatch(new RegExp(`^Usage: bootstrap ctl \\[--socket PATH\\] ${command}\\b`));
      expect(own.stdout).toContain('Exit status: 0 ok, 1 the supervisor refused the request');
    }
    expect((await ctl('logs', '--help')).stdout).toContain('--follow');
    expect(control.calls).toEqual([]);
  });
});
