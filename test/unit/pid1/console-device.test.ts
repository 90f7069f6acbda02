// Which device a console name means, and the real terminal behind /dev/console.
import { describe, expect, it } from 'vitest';
import { realConsole } from '../../../src/pid1/console-device';
import { consolePath } from '../../../src/plan/console-path';

describe('console device', () => {
  it('maps names to /dev paths', () => {
    expect(consolePath('console')).toBe('/dev/console');
    expect(consolePath('ttyS0')).toBe('/dev/ttyS0');
    expect(consolePath('/dev/hvc0')).toBe('/dev/hvc0');
  });

  it('finds the last active console behind /dev/console when its node exists', () => {
    expect(realConsole('/dev/console', () => 'tty0 null\n')).toBe('/dev/null');
    expect(realConsole('/dev/console', () => 'ttyNOPE99\n')).toBe('/dev/console');
    expect(realConsole('/dev/ttyS1', () => 'tty0\n')).toBe('/dev/ttyS1');
    expect(
      realConsole('/dev/console', () => {
        throw new Error('no sysfs');
      }),
    ).toBe('/dev/console');
  });
});
