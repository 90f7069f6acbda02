// The boot report: every step's outcome and duration, as JSON in /run/bootstrap/report.json.
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StepOutcome } from '../exec/run-steps';
import { makeDirectories } from '../sys/fs';

export const REPORT_PATH = '/run/bootstrap/report.json';

export interface BootReport {
  /** Where the boot ended: a handoff, or the emergency action after an abort. */
  result: 'handoff' | 'aborted' | 'running';
  /** Milliseconds since the process started, when the report was written. */
  atMs: number;
  steps: StepOutcome[];
  abort?: string;
}

/** Writes the report; a failure to write it is returned as a message, never thrown. */
export function writeReport(report: BootReport, path: string = REPORT_PATH): string | undefined {
  try {
    makeDirectories(dirname(path));
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
    return undefined;
  } catch (error) {
    return `cannot write the boot report ${path}: ${(error as Error).message}`;
  }
}
