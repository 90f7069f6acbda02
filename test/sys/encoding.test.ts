// The pure parts of the kernel boundary: dev_t and wait status encodings, syscall tables, argument checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syscallNumbers } from '../../src/sys/arch';
import { environmentArray } from '../../src/sys/env';
import { makedev, splitDev } from '../../src/sys/fs';
import { decodeWaitStatus, signalName } from '../../src/sys/spawn';
import { SysError } from '../../src/sys/sys-error';

describe('dev_t encoding', () => {
  it('matches glibc makedev, minor bits above 255 going to bits 20 and up', () => {
    expect(makedev(1, 3)).toBe(0x103n);
    expect(makedev(7, 300)).toBe(0x10072cn);
    expect(makedev(0x1234, 0)).toBe((0x1000n << 32n) | 0x23400n);
  });

  it('splits what it encodes', () => {
    for (const [major, minor] of [[0, 0], [259, 0x12345], [4096, 256], [0xfffff, 0xfffff]] as const) {
      expect(splitDev(makedev(major, minor))).toEqual({ major, minor });
    }
  });
});

describe('wait status decoding', () => {
  it('decodes exits, signals and core dumps like the W* macros', () => {
    expect(decodeWaitStatus(10, 0)).toEqual({ pid: 10, exitCode: 0 });
    expect(decodeWaitStatus(10, 7 << 8)).toEqual({ pid: 10, exitCode: 7 });
    expect(decodeWaitStatus(10, 255 << 8)).toEqual({ pid: 10, exitCode: 255 });
    expect(decodeWaitStatus(11, 15)).toEqual({ pid: 11, signal: 15, signalName: 'SIGTERM', coreDumped: false });
    expect(decodeWaitStatus(12, 0x80 | 11)).toEqual({ pid: 12, signal: 11, signalName: 'SIGSEGV', coreDumped: true });
  });

  it('names real-time signals Node does not know by number', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(40)).toBe('SIG40');
  });
});

describe('syscall numbers', () => {
  it('has the x86_64 and aarch64 tables and refuses other architectures', () => {
    expect(syscallNumbers('x64')).toEqual({ pivotRoot: 155, initModule: 175, finitModule: 313, closeRange: 436, prctl: 157, rtSigprocmask: 14, openTree: 428, moveMount: 429, mountSetattr: 442 });
    expect(syscallNumbers('arm64')).toEqual({ pivotRoot: 41, initModule: 105, finitModule: 273, closeRange: 436, prctl: 167, rtSigprocmask: 135, openTree: 428, moveMount: 429, mountSetattr: 442 });
    expect(() => syscallNumbers('riscv64')).toThrow('sys: no syscall table for architecture riscv64 (supported: x64, arm64)');
  });

  // aarch64 takes its numbers from asm-generic; linux-libc-dev (a dependency of libc6-dev) installs both headers.
  it.each([
    ['x64', '/usr/include/x86_64-linux-gnu/asm/unistd_64.h'],
    ['arm64', '/usr/include/asm-generic/unistd.h'],
  ])('matches the kernel headers for %s', (arch, header) => {
    const text = readFileSync(header, 'utf8');
    const defined = (name: string): number => Number(new RegExp(`^#define __NR_${name} (\\d+)$`, 'm').exec(text)?.[1]);
    const names = Object.keys(syscallNumbers(arch)).map((key) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
    expect(Object.values(syscallNumbers(arch))).toEqual(names.map(defined));
  });
});

describe('environment arrays', () => {
  it('turns an object into NAME=value entries ending in NULL', () => {
    expect(environmentArray('execve', { A: '1', EMPTY: '' })).toEqual(['A=1', 'EMPTY=', null]);
  });

  it('rejects names C cannot represent, naming the call', () => {
    expect(() => environmentArray('execve', { '': 'x' })).toThrow('execve: environment variable name "" must be non-empty without "=" or NUL');
    expect(() => environmentArray('execve', { A: 'a\0b' })).toThrow('execve: env.A must be a string without NUL bytes');
  });
});

describe('SysError messages', () => {
  it('show masks in hex and descriptors in decimal', () => {
    const error = new SysError({ syscall: 'finit_module', errno: 9, args: { fd: 999, params: '', flags: 3 } });
    expect(error.message).toBe('finit_module(fd=999, params="", flags=3): EBADF (Bad file descriptor)');
    expect(new SysError({ syscall: 'mount', errno: 22, args: { flags: 0x2000 } }).message).toBe('mount(flags=0x2000): EINVAL (Invalid argument)');
  });
});
