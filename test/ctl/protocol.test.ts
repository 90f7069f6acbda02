// The wire format, the line splitter and the status table, without sockets.
import { describe, expect, it } from 'vitest';
import { formatAge, formatExit, formatStatusTable } from '../../src/ctl/format-status';
import { LineReader } from '../../src/ctl/line-reader';
import { encodeMessage, parseRequest, parseServerMessage, ProtocolError } from '../../src/ctl/protocol';
import type { ServiceStatus } from '../../src/supervisor/model';

describe('parseRequest', () => {
  it('accepts every operation and fills the defaults of logs', () => {
    expect(parseRequest('{"op":"status"}')).toEqual({ op: 'status' });
    expect(parseRequest('{"op":"restart","name":"web"}')).toEqual({ op: 'restart', name: 'web' });
    expect(parseRequest('{"op":"logs","name":"web"}')).toEqual({ op: 'logs', name: 'web', lines: 50, follow: false });
    expect(parseRequest('{"op":"logs","name":"web","lines":0,"follow":true}')).toEqual({ op: 'logs', name: 'web', lines: 0, follow: true });
    expect(parseRequest(' {"op":"reboot"} ')).toEqual({ op: 'reboot' });
  });

  it('refuses anything else with a ProtocolError that says what is wrong', () => {
    const refuse = (line: string): string => {
      try {
        parseRequest(line);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
        return (error as Error).message;
      }
      throw new Error(`accepted ${line}`);
    };
    expect(refuse('')).toMatch(/^a request must be one JSON object per line: /);
    expect(refuse('null')).toBe('a request must be a JSON object');
    expect(refuse('"status"')).toBe('a request must be a JSON object');
    expect(refuse('{"op":1}')).toBe('a request needs "op", one of status, start, stop, restart, logs, poweroff, reboot');
    expect(refuse('{"op":"toString"}')).toBe('unknown op "toString"; known: status, start, stop, restart, logs, poweroff, reboot');
    expect(refuse('{"op":"start","name":7}')).toBe('start: "name" must be a non-empty string, not 7');
    expect(refuse('{"op":"logs"}')).toBe('logs: missing "name" (the service to show)');
    expect(refuse('{"op":"logs","name":"a","lines":1.5}')).toBe('logs: "lines" must be an integer from 0 to 100000, not 1.5');
    expect(refuse('{"op":"logs","name":"a","lines":100001}')).toBe('logs: "lines" must be an integer from 0 to 100000, not 100001');
    expect(refuse('{"op":"poweroff","name":"a","now":true}')).toBe('poweroff: unknown field "name", "now"');
  });
});

describe('parseServerMessage', () => {
  it('reads answers and streamed lines, and refuses the rest', () => {
    expect(parseServerMessage(encodeMessage({ ok: true, lines: ['a'] }).trim())).toEqual({ ok: true, lines: ['a'] });
    expect(parseServerMessage('{"ok":false,"error":"no"}')).toEqual({ ok: false, error: 'no' });
    expect(parseServerMessage('{"line":"x"}')).toEqual({ line: 'x' });
    expect(() => parseServerMessage('{"ok":false}')).toThrow(ProtocolError);
    expect(() => parseServerMessage('hello')).toThrow('the supervisor sent a line that is not JSON');
  });
});

describe('LineReader', () => {
  it('joins lines across chunks, keeps a character split between chunks whole, and holds back an unfinished line', () => {
    const reader = new LineReader(100);
    const bytes = Buffer.from('one\ntwo é\nthr');
    const split = bytes.indexOf(0xa9); // the second byte of é
    expect(reader.push(bytes.subarray(0, split))).toEqual({ lines: ['one'], overflow: false });
    expect(reader.push(bytes.subarray(split))).toEqual({ lines: ['two é'], overflow: false });
    expect(reader.push(Buffer.from('ee\n\n'))).toEqual({ lines: ['three', ''], overflow: false });
  });

  it('allows a line of exactly the limit, refuses one byte more, and then takes no more input', () => {
    const reader = new LineReader(4);
    expect(reader.push(Buffer.from('abcd\nab'))).toEqual({ lines: ['abcd'], overflow: false });
    expect(reader.push(Buffer.from('cde\nok\n'))).toEqual({ lines: [], overflow: true });
    expect(reader.push(Buffer.from('ok\n'))).toEqual({ lines: [], overflow: true });
  });
});

describe('the status table', () => {
  const service = (fields: Partial<ServiceStatus>): ServiceStatus => ({
    name: 'svc',
    type: 'longrun',
    main: false,
    state: 'ready',
    pid: 1,
    starts: 1,
    restarts: 0,
    lastExit: null,
    since: 0,
    waitingFor: null,
    ...fields,
  });

  it('aligns columns, shows ages, exits and what a service waits for', () => {
    const now = 1_000_000;
    const table = formatStatusTable(
      [
        service({ name: 'db', pid: 4242, since: now - 5_000 }),
        service({ name: 'app', state: 'waiting', pid: null, starts: 0, since: now - 125_000, waitingFor: 'db to be ready' }),
        service({ name: 'job', type: 'oneshot', main: true, state: 'completed', pid: null, lastExit: { code: 0, signal: null, status: 0, at: now }, since: now }),
      ],
      now,
    );
    expect(table).toBe(
      [
        'NAME  STATE      PID   STARTS  RESTARTS  LAST-EXIT  SINCE  WAITING-FOR',
        'db    ready      4242  1       0         -          5s     -',
        'app   waiting    -     0       0         -          2m05s  db to be ready',
        'job*  completed  -     1       0         0          0s     -',
        '* the main service',
        '',
      ].join('\n'),
    );
    expect(formatStatusTable([], now)).toBe('NAME  STATE  PID  STARTS  RESTARTS  LAST-EXIT  SINCE  WAITING-FOR\n');
  });

  it('names the signal that ended a service and counts ages in their two largest units', () => {
    expect(formatExit({ code: null, signal: 'SIGTERM', status: 143, at: 0 })).toBe('143 SIGTERM');
    expect(formatExit({ code: 3, signal: null, status: 3, at: 0 })).toBe('3');
    expect([0, 59_999, 60_000, 3_599_000, 3_600_000, 86_399_000, 86_400_000 * 3 + 3_600_000 * 4, -5].map(formatAge)).toEqual([
      '0s',
      '59s',
      '1m00s',
      '59m59s',
      '1h00m',
      '23h59m',
      '3d04h',
      '0s',
    ]);
  });
});
