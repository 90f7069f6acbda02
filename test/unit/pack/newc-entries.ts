// A set of newc entries covering every entry kind and every padding case, shared by the writer's tests.
import type { CpioEntry } from '../../../src/pack/newc';

// Data lengths 0..5 and odd name lengths exercise every padding case.
export const entries: CpioEntry[] = [
  { kind: 'directory', path: 'etc', mode: 0o755 },
  { kind: 'directory', path: 'tmp', mode: 0o1777 },
  { kind: 'file', path: 'etc/empty', mode: 0o644, data: new Uint8Array(0) },
  { kind: 'file', path: 'etc/a', mode: 0o600, data: Buffer.from('1') },
  { kind: 'file', path: 'etc/bb', mode: 0o640, data: Buffer.from('12') },
  { kind: 'file', path: 'etc/ccc', mode: 0o644, data: Buffer.from('123') },
  { kind: 'file', path: 'etc/dddd', mode: 0o755, data: Buffer.from('1234') },
  { kind: 'file', path: 'etc/eeeee', mode: 0o4755, data: Buffer.from('12345') },
  { kind: 'file', path: 'etc/big', mode: 0o644, data: Buffer.alloc(70_001, 0xab) },
  { kind: 'symlink', path: 'etc/link', target: 'ccc' },
  { kind: 'symlink', path: 'etc/abs', target: '/etc/bb' },
  { kind: 'directory', path: 'dev', mode: 0o755 },
  { kind: 'charDevice', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
  { kind: 'charDevice', path: 'dev/null', mode: 0o666, major: 1, minor: 3 },
];
