// Module images from real files compressed by the system gzip, zstd and xz tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ModuleDecompressError,
  moduleCompression,
  moduleImage,
  webStreamXzDecoder,
  type XzDecoder,
} from '../../../src/modules/decompress';

const dir = mkdtempSync(join(tmpdir(), 'decompress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// An ELF-looking image with both compressible and random-ish parts, so every codec does real work.
const image = Buffer.alloc(300_000);
Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(image);
for (let i = 64, x = 12345; i < image.length; i++) {
  x = (x * 1103515245 + 12345) >>> 0;
  image[i] = i % 3 === 0 ? x >>> 24 : i & 0xff;
}
writeFileSync(join(dir, 'fake.ko'), image);
execFileSync('gzip', ['-k', '-9', join(dir, 'fake.ko')]);
execFileSync('zstd', ['-q', '-19', join(dir, 'fake.ko'), '-o', join(dir, 'fake.ko.zst')]);
execFileSync('xz', ['-k', join(dir, 'fake.ko')]);
// Buffer.equals, because a deep toEqual over 300 kB costs half a second per assertion.
const sameAsImage = (bytes: Uint8Array): boolean => Buffer.from(bytes).equals(image);
const file = (name: string): Buffer => readFileSync(join(dir, name));

// The system xz as a decoder proves the plug-in path without an npm package.
const cliXz: XzDecoder = {
  decompress: (bytes) => Promise.resolve(new Uint8Array(execFileSync('xz', ['-dc'], { input: bytes }))),
};

describe('moduleImage', () => {
  it('returns a .ko as is', async () => {
    expect(sameAsImage(await moduleImage('fake.ko', file('fake.ko')))).toBe(true);
  });

  it('round-trips gzip and zstd made by the system tools', async () => {
    expect(file('fake.ko.gz').length).toBeLessThan(image.length);
    expect(sameAsImage(await moduleImage('x/fake.ko.gz', file('fake.ko.gz')))).toBe(true);
    expect(sameAsImage(await moduleImage('x/fake.ko.zst', file('fake.ko.zst')))).toBe(true);
  });

  it('fails clearly on xz until a decoder is plugged in, then round-trips', async () => {
    await expect(moduleImage('kernel/fake.ko.xz', file('fake.ko.xz'))).rejects.toThrow(
      'kernel/fake.ko.xz: cannot decompress (xz): xz modules are not supported in this build',
    );
    expect(sameAsImage(await moduleImage('fake.ko.xz', file('fake.ko.xz'), cliXz))).toBe(true);
  });

  it('adapts a web-stream decoder class', async () => {
    // DecompressionStream('gzip') stands in for XzReadableStream: same constructor shape, real decoding.
    class GzipStream extends ReadableStream<Uint8Array> {
      constructor(compressed: ReadableStream<Uint8Array>) {
        super();
        return compressed.pipeThrough(new DecompressionStream('gzip')) as GzipStream;
      }
    }
    const decoder = webStreamXzDecoder(GzipStream);
    expect(sameAsImage(await decoder.decompress(file('fake.ko.gz')))).toBe(true);
  });

  it('names the file when data is corrupt or not a module', async () => {
    const corrupt = file('fake.ko.zst').subarray(0, 100);
    await expect(moduleImage('bad.ko.zst', corrupt)).rejects.toThrow(/^bad\.ko\.zst: cannot decompress \(zstd\): /);
    await expect(moduleImage('bad.ko.gz', file('fake.ko.zst'))).rejects.toBeInstanceOf(ModuleDecompressError);
    await expect(moduleImage('text.ko', Buffer.from('hello'))).rejects.toThrow('text.ko: not an ELF module after reading');
    await expect(moduleImage('fake.ko.bz2', image)).rejects.toThrow(/not a module file/);
  });

  it('maps suffixes to compressions', () => {
    expect(['a.ko', 'a.ko.gz', 'a.ko.zst', 'a.ko.xz', 'a.o'].map(moduleCompression)).toEqual(['none', 'gzip', 'zstd', 'xz', undefined]);
  });
});
