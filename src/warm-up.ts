// Runs the validation path once while the startup snapshot is built, so its code is already compiled.
import { validateConfigText } from './config/validate-config';
import { templates } from './cli/verbs/config-template';
import { diagnosticsText } from './cli/report-diagnostics';

/** Validates every template and a broken config; results are discarded. */
export function warmUp(): void {
  for (const text of Object.values(templates)) {
    const result = validateConfigText(text);
    diagnosticsText('warm-up', result.valid, result.diagnostics);
  }
  const broken = validateConfigText('logLevel: loud\npostSwitch:\n  handoff: {mode: shell, onExit: never}\n');
  diagnosticsText('warm-up', broken.valid, broken.diagnostics);
}
