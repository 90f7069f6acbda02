// Node's heavier built-in modules, loaded where they are used instead of when a module naming them is evaluated: a
// boot that opens no socket, decompresses nothing and supervises nothing never loads net (with its streams and
// bindings), zlib, v8 or vm. Under emulation each built-in module's first load is a visible part of PID 1's start.
import type * as NetModule from 'node:net';
import type * as StringDecoderModule from 'node:string_decoder';
import type * as V8Module from 'node:v8';
import type * as VmModule from 'node:vm';
import type * as ZlibModule from 'node:zlib';

export const net = (): typeof NetModule => process.getBuiltinModule('node:net');
export const stringDecoder = (): typeof StringDecoderModule => process.getBuiltinModule('node:string_decoder');
export const v8 = (): typeof V8Module => process.getBuiltinModule('node:v8');
export const vm = (): typeof VmModule => process.getBuiltinModule('node:vm');
export const zlib = (): typeof ZlibModule => process.getBuiltinModule('node:zlib');
