// escapeFilter: Ctrl-A x ends the VM, Ctrl-A Ctrl-A is one Ctrl-A, everything else passes.
import { describe, expect, it } from 'vitest';
import { escapeFilter } from '../../../src/vm/escape-key';

describe('escapeFilter', () => {
  it('passes ordinary input, ^C included', () => {
    expect(escapeFilter().feed(Buffer.from('ls\x03\r'))).toEqual({ forward: Buffer.from('ls\x03\r'), quit: false });
  });

  it('quits on Ctrl-A x, also split across chunks, forwarding what came before', () => {
    expect(escapeFilter().feed(Buffer.from('ab\x01x'))).toEqual({ forward: Buffer.from('ab'), quit: true });
    const split = escapeFilter();
    expect(split.feed(Buffer.from('a\x01'))).toEqual({ forward: Buffer.from('a'), quit: false });
    expect(split.feed(Buffer.from('x'))).toEqual({ forward: Buffer.alloc(0), quit: true });
  });

  it('sends one Ctrl-A for two, and Ctrl-A with any other key as typed', () => {
    expect(escapeFilter().feed(Buffer.from('\x01\x01b\x01c'))).toEqual({ forward: Buffer.from('\x01b\x01c'), quit: false });
  });
});
