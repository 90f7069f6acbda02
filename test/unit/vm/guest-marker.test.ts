// parseGuestEvent and serialLog: the marker lines of the guest's wrapper, found in the serial console.
import { describe, expect, it } from 'vitest';
import { parseGuestEvent, type GuestEvent } from '../../../src/vm/guest-marker';
import { serialLog } from '../../../src/vm/serial-log';

describe('parseGuestEvent', () => {
  it('reads running, an exit status and an error', () => {
    expect(parseGuestEvent('bootstrap-vm: running')).toEqual({ kind: 'running' });
    expect(parseGuestEvent('bootstrap-vm: exit status 0')).toEqual({ kind: 'exit', status: 0 });
    expect(parseGuestEvent('bootstrap-vm: exit status 255')).toEqual({ kind: 'exit', status: 255 });
    expect(parseGuestEvent('bootstrap-vm: error: no ports')).toEqual({ kind: 'error', message: 'no ports' });
  });

  it('takes whole lines only, so the logged wrapper text is never a marker', () => {
    for (const line of ['say "exit status $?"', 'echo bootstrap-vm: running', 'bootstrap-vm: exit status 256', 'bootstrap-vm: exit status 7 and more', '[ 1.2] bootstrap-vm: running']) {
      expect(parseGuestEvent(line), line).toBeUndefined();
    }
  });
});

describe('serialLog', () => {
  it('finds markers across chunks and CRLF line ends, and keeps the tail', () => {
    const events: GuestEvent[] = [];
    const log = serialLog((event) => events.push(event));
    for (const chunk of ['[ 3.1] bootstrap: phase postSwitch\r\nbootstrap-', 'vm: running\r\n', 'bootstrap-vm: exit st', 'atus 7\r\n[ 4.0] reboot: Power down\r\n']) log.push(chunk);
    expect(events).toEqual([{ kind: 'running' }, { kind: 'exit', status: 7 }]);
    expect(log.tail(2)).toBe('bootstrap-vm: exit status 7\n[ 4.0] reboot: Power down');
  });
});
