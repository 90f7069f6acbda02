// Keeps console transcripts of the guests a test booted, in $BOOT_TRANSCRIPTS, for reading after a failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Guest } from './boot-guest';

const pending: { name: string; guest: Guest }[] = [];

/** Remembers `guest` under `name`; returns it, so it wraps a bootGuest call. */
export function recordTranscript(name: string, guest: Guest): Guest {
  pending.push({ name, guest });
  return guest;
}

/** Writes the remembered transcripts when BOOT_TRANSCRIPTS names a directory, then forgets them (for afterEach). */
export function saveTranscripts(): void {
  const dir = process.env.BOOT_TRANSCRIPTS;
  for (const { name, guest } of pending.splice(0)) {
    if (!dir) continue;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name.replace(/[^\w.-]+/g, '_')}.log`), guest.console());
  }
}
