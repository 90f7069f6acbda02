// The single executable's main script: runs the bundled program from its assets with a V8 code cache made
// after a warm-up run at build time, so the functions a start needs come compiled instead of being compiled
// again on every start (a startup snapshot keeps the heap but drops compiled code).
'use strict';
const { getAsset } = require('node:sea');
const vm = require('node:vm');

const source = getAsset('bootstrap.js', 'utf8');
const cachedData = Buffer.from(getAsset('bootstrap.cache'));
const script = new vm.Script(source, { filename: 'bootstrap.js', cachedData });
script.runInThisContext()(require, module, __filename);
