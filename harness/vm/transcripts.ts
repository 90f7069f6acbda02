// Keeps console transcripts of the guests a test booted, in $BOOT_TRANSCRIPTS, for reading after a failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Guest } from './boot-guest';
import { testKernel } from './kernel-env';

const pending: { name: string; guest: Guest }[] = [];

/** Remembers `guest` under `name`; returns it, so it wraps a bootGuest call. */
export function recordTranscript(name: string, guest: Guest): Guest {
  pending.push({ name, guest });
  return guest;
}

/** Writes the remembered transcripts as DIR/NAME.log (NAME-6.12.log on 6.12) when BOOT_TRANSCRIPTS names DIR, then forgets them (for afterEach). */
export function saveTranscripts(): void {
  const dir = process.env.BOOT_TRANSCRIPTS;
  for (const { name, guest } of pending.splice(0)) {
    if (!dir) continue;
    mkdirSync(dir, { recursive: true });
    // A run of both kernels boots each test twice: the second kernel's transcript must not overwrite the first's.
    const kernel = testKernel();
    writeFileSync(join(dir, `${name.replace(/[^\w.-]+/g, '_')}${kernel === '6.1' ? '' : `-${kernel}`}.log`), guest.console());
  }
}
