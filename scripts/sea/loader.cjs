// The single executable's main script: runs one of its bundled programs (the boot as PID 1, else the CLI) with a V8
// code cache made after a warm-up run at build time, so the functions a start needs come compiled instead of being
// compiled again on every start (a startup snapshot keeps the heap but drops compiled code). The programs, their code
// caches and koffi's addon are appended to the executable (scripts/sea/asset-trailer.ts) and read here with read(2).
'use strict';
const { existsSync, fstatSync, openSync, readSync } = require('node:fs');
const vm = require('node:vm');

// As TRAILER_MAGIC in scripts/sea/asset-trailer.ts, which writes the trailer.
const MAGIC = 'BSASSETS';
// The index's 32-bit length, then the magic.
const TAIL = 4 + MAGIC.length;

function fail(message) {
  process.stderr.write(`bootstrap: ${message}\n`);
  process.exit(70);
}

function readExactly(fd, length, position) {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const count = readSync(fd, bytes, done, length - done, position + done);
    if (count === 0) fail(`${process.execPath}: ended before its assets (truncated executable?)`);
    done += count;
  }
  return bytes;
}

function openAssets() {
  // /proc/self/exe opens the very file this process runs, even once it was deleted (the initramfs after the
  // switch root, reached as /proc/1/exe) or replaced on disk. Before /proc is mounted (PID 1 in an
  // initramfs) execPath is argv[0], the path the kernel ran: asked first, as a failed open costs its exception
  // (about 8 ms of a boot under emulation).
  let fd;
  if (existsSync('/proc/self/exe')) {
    try {
      fd = openSync('/proc/self/exe', 'r');
    } catch {
      // Unreadable (a restricted /proc): the path it was run by.
    }
  }
  if (fd === undefined) {
    try {
      fd = openSync(process.execPath, 'r');
    } catch (error) {
      fail(`cannot read its own executable (${process.execPath}) to load the program: ${error.message}`);
    }
  }
  const size = fstatSync(fd).size;
  const tail = size >= TAIL ? readExactly(fd, TAIL, size - TAIL) : Buffer.alloc(0);
  if (tail.length !== TAIL || tail.toString('latin1', 4) !== MAGIC) fail(`${process.execPath}: no appended program (not a complete bootstrap build?)`);
  const indexLength = tail.readUInt32LE(0);
  let index;
  try {
    index = JSON.parse(readExactly(fd, indexLength, size - TAIL - indexLength).toString('utf8'));
  } catch {
    fail(`${process.execPath}: its asset index is damaged (not a complete bootstrap build?)`);
  }
  // The descriptor stays open for assets read later (koffi's addon), pinning this very file; Node opens it
  // close-on-exec, so no child inherits it.
  return (name) => {
    const entry = index[name];
    if (entry === undefined) fail(`${process.execPath}: no asset ${name}`);
    return readExactly(fd, entry[1], entry[0]);
  };
}

const readAsset = openAssets();

// A program of the executable (scripts/build.ts): its source, compiled with the code cache made for it at build time.
function compile(name) {
  // Latin-1: the build makes the source ASCII (where it reads the same as UTF-8), and V8 takes Latin-1 bytes as they
  // are where UTF-8 must be decoded (2-3 ms less for the CLI's 0.9 MB).
  const source = readAsset(`${name}.js`).toString('latin1');
  const cachedData = readAsset(`${name}.cache`);
  const script = new vm.Script(source, { filename: `${name}.js`, cachedData });
  if (script.cachedDataRejected && process.env.BOOTSTRAP_REQUIRE_CODE_CACHE === '1') {
    fail(`V8 rejected the code cache of ${name}.js (made under other flags or another V8)`);
  }
  return script;
}

// Runs a program; the boot program runs the CLI through it when PID 1 is given a verb.
function runProgram(name) {
  compile(name).runInThisContext()(require, module, __filename, readAsset, runProgram);
}

// The build's check of the caches compiles every program, not only the one this start runs.
if (process.env.BOOTSTRAP_REQUIRE_CODE_CACHE === '1') compile('boot');
// PID 1 runs the boot, anything else the CLI.
runProgram(process.pid === 1 ? 'boot' : 'bootstrap');
