// parseMemorySize and parseCpus: vm's --memory and --cpus.
import { describe, expect, it } from 'vitest';
import { parseMemorySize } from '../../../src/vm/memory-size';
import { parseCpus } from '../../../src/vm/vm-defaults';

describe('parseMemorySize', () => {
  it.each([
    ['1G', 1024],
    ['2GiB', 2048],
    ['1536M', 1536],
    ['768mb', 768],
    ['2048', 2048],
  ])('%s is %d MiB', (text, mib) => {
    expect(parseMemorySize(text)).toBe(mib);
  });

  it('refuses other forms and sizes too small to unpack the image', () => {
    expect(() => parseMemorySize('1.5G')).toThrow('give a size such as 1G');
    expect(() => parseMemorySize('12x')).toThrow('give a size such as 1G');
    expect(() => parseMemorySize('256M')).toThrow('at least 512M');
  });
});

describe('parseCpus', () => {
  it('takes 1 to 64', () => {
    expect(parseCpus('1')).toBe(1);
    expect(parseCpus('64')).toBe(64);
    for (const bad of ['0', '65', '-1', '2.5', 'two', '']) expect(() => parseCpus(bad), bad).toThrow('a whole number from 1 to 64');
  });
});
