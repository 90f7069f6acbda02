// The ajv options shared by the build-time validator generator and any run-time compile.
import type { Options } from 'ajv';

/** Strict schema checking, every error at once, defaults filled in. */
export const ajvOptions: Options = {
  strict: true,
  // A discriminated union requires its tag at the top while each branch defines it.
  strictRequired: false,
  allErrors: true,
  allowUnionTypes: true,
  useDefaults: true,
  // With a discriminator ajv tries only the branch a value names, so only that branch's defaults apply.
  discriminator: true,
  // minLength counts UTF-16 units: the only limit we set is 1, and it keeps the generated code free of require().
  unicode: false,
  logger: false,
};
