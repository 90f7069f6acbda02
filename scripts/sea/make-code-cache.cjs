// Build step, run by the pinned Node 24: evaluates a wrapped program with the warm-up switch on, so the functions its
// start uses get compiled (the CLI's validation and planning; the boot's module evaluation), then writes V8's code
// cache of the script.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { basename } = require('node:path');
const vm = require('node:vm');

const [input, output] = process.argv.slice(2);
// As the loader reads it (the build checks that the program is ASCII).
const source = readFileSync(input, 'latin1');
const script = new vm.Script(source, { filename: basename(input) });
globalThis.BOOTSTRAP_WARM_UP_ONLY = true;
script.runInThisContext()(require, module, __filename);
// The warm-up runs once its module is loaded (the bundle loads it on use, as the CLI and the boot are).
Promise.resolve(globalThis.bootstrapWarmUp).then(
  () => writeFileSync(output, script.createCachedData()),
  (error) => {
    process.stderr.write(`warm-up failed: ${error.stack}\n`);
    process.exit(1);
  },
);
