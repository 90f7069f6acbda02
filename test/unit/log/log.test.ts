// The console log: levels, line format, and counting what a full console dropped.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/log';

describe('logger', () => {
  it('writes lines at or above its level with a monotonic timestamp', () => {
    const lines: string[] = [];
    const log = createLogger({ write: (text) => (lines.push(text), true) }, 'info', () => 1234.5);
    log.debug('hidden');
    log.info('shown');
    log.error('bad');
    log.level = 'debug';
    log.debug('now shown');
    expect(lines).toEqual(['[   1.234] bootstrap: shown\n', '[   1.234] bootstrap: error: bad\n', '[   1.234] bootstrap: debug: now shown\n']);
  });

  it('counts lines the sink dropped', () => {
    const log = createLogger({ write: () => false }, 'trace', () => 0);
    log.info('a');
    log.warn('b');
    expect(log.dropped).toBe(2);
  });
});
