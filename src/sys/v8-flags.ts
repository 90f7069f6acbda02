// V8's flags changed while the process runs, through V8's own API in the executable (v8::V8::SetFlagsFromString,
// which Node exports for native addons), called through koffi: node:v8's setFlagsFromString would first load node:v8
// and with it Node's streams and performance hooks, a visible part of a boot under emulation.
import { koffi } from './koffi';

// The C++ symbol of `void v8::V8::SetFlagsFromString(const char *flags)` (Itanium C++ ABI, as Node exports it).
const SET_FLAGS_FROM_STRING = 'void _ZN2v82V818SetFlagsFromStringEPKc(const char *flags)';

let setFlags: ((flags: string) => void) | undefined;

/** Sets V8 flags from now on (code compiled already stays as it is); throws when the executable lacks V8's API. */
export function setV8Flags(flags: string): void {
  setFlags ??= koffi().load(null).func(SET_FLAGS_FROM_STRING) as (flags: string) => void;
  setFlags(flags);
}
