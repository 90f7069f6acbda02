// Runs the common paths once at build time (validation, planning, formatting), so the V8 code cache the
// executable starts from holds them compiled.
import { validateConfigText } from './config/validate-config';
import { templates } from './cli/verbs/config-template';
import { diagnosticsText } from './config/format-diagnostics';
import { buildPlan } from './plan/build-plan';
import { formatPlan } from './plan/format-plan';

/** Validates and plans every template and validates a broken config; results are discarded. */
export function warmUp(): void {
  for (const text of Object.values(templates)) {
    const result = validateConfigText(text);
    diagnosticsText('warm-up', result.valid, result.diagnostics);
    if (result.config) formatPlan(buildPlan(result.config));
  }
  const broken = validateConfigText('logLevel: loud\npostSwitch:\n  handoff: {mode: shell, onExit: never}\n');
  diagnosticsText('warm-up', broken.valid, broken.diagnostics);
}
