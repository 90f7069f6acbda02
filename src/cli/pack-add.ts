// `pack --add SRC:DEST` read into an AddSpec: both parts present, DEST absolute; what DEST means is the packer's.
import type { AddSpec } from '../pack/initramfs';
import { UsageError } from './args';

/** The source and destination of an --add value; throws a UsageError that says which part is wrong. */
export function parseAdd(value: string): AddSpec {
  // The last colon splits: a source path may hold colons, a destination in the image may not.
  const separator = value.lastIndexOf(':');
  if (separator < 0) throw new UsageError(`--add takes SRC:DEST (a file or directory, then where it goes in the image), not ${JSON.stringify(value)}`, 'pack');
  const src = value.slice(0, separator);
  const dest = value.slice(separator + 1);
  if (src === '') throw new UsageError(`--add ${JSON.stringify(value)}: missing SRC before the colon`, 'pack');
  if (dest === '') throw new UsageError(`--add ${JSON.stringify(value)}: missing DEST after the colon (an absolute path in the image; ending in / puts SRC into that directory)`, 'pack');
  if (!dest.startsWith('/')) throw new UsageError(`--add ${JSON.stringify(value)}: DEST must be an absolute path in the image, not ${JSON.stringify(dest)}`, 'pack');
  return { src, dest };
}
