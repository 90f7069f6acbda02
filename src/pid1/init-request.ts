// SysV init's request protocol on /dev/initctl (sysvinit's initreq.h): struct init_request, 384 bytes in the
// machine's byte order: int magic, int cmd, int runlevel, int sleeptime, then a 368-byte union (BSD fields or data).
import { endianness } from 'node:os';

/** sizeof(struct init_request): four ints and the 368-byte union, the same on x86_64 and aarch64. */
export const INIT_REQUEST_SIZE = 384;
export const INIT_MAGIC = 0x03091969;

/** The `cmd` values of initreq.h. */
export const initCommands: ReadonlyMap<number, string> = new Map([
  [0, 'INIT_CMD_START'],
  [1, 'INIT_CMD_RUNLVL'],
  [2, 'INIT_CMD_POWERFAIL'],
  [3, 'INIT_CMD_POWERFAILNOW'],
  [4, 'INIT_CMD_POWEROK'],
  [5, 'INIT_CMD_BSD'],
  [6, 'INIT_CMD_SETENV'],
  [7, 'INIT_CMD_UNSETENV'],
  [12345, 'INIT_CMD_CHANGECONS'],
]);
export const INIT_CMD_RUNLVL = 1;

/** What one request asks, or why it is not a request. */
export type InitRequest =
  /** telinit N: `runlevel` is the character ('0', '6', 'S', …). */
  | { kind: 'runlevel'; runlevel: string; sleepSeconds: number }
  | { kind: 'command'; command: number; name: string | undefined }
  | { kind: 'malformed'; reason: string };

/** The requests in one read: whole 384-byte requests in order, then a malformed entry for any bytes left over. */
export function parseInitRequests(bytes: Uint8Array): InitRequest[] {
  const requests: InitRequest[] = [];
  let offset = 0;
  for (; offset + INIT_REQUEST_SIZE <= bytes.length; offset += INIT_REQUEST_SIZE) requests.push(parseInitRequest(bytes.subarray(offset, offset + INIT_REQUEST_SIZE)));
  const left = bytes.length - offset;
  if (left > 0) requests.push({ kind: 'malformed', reason: `${left} bytes, not the ${INIT_REQUEST_SIZE} of a request` });
  return requests;
}

/** One request of exactly INIT_REQUEST_SIZE bytes. */
export function parseInitRequest(bytes: Uint8Array): InitRequest {
  if (bytes.length !== INIT_REQUEST_SIZE) return { kind: 'malformed', reason: `${bytes.length} bytes, not the ${INIT_REQUEST_SIZE} of a request` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = endianness() === 'LE';
  const magic = view.getUint32(0, little);
  if (magic !== INIT_MAGIC) return { kind: 'malformed', reason: `bad magic 0x${magic.toString(16).padStart(8, '0')} (not 0x${INIT_MAGIC.toString(16).padStart(8, '0')})` };
  const command = view.getInt32(4, little);
  if (command !== INIT_CMD_RUNLVL) return { kind: 'command', command, name: initCommands.get(command) };
  const runlevel = view.getInt32(8, little);
  if (runlevel < 0x21 || runlevel > 0x7e) return { kind: 'malformed', reason: `runlevel ${runlevel} is not a printable character` };
  return { kind: 'runlevel', runlevel: String.fromCharCode(runlevel), sleepSeconds: view.getInt32(12, little) };
}

/** The request telinit writes for runlevel `runlevel` (for tests and tools). */
export function encodeRunlevelRequest(runlevel: string, magic = INIT_MAGIC): Buffer {
  const bytes = Buffer.alloc(INIT_REQUEST_SIZE);
  const little = endianness() === 'LE';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(0, magic, little);
  view.setInt32(4, INIT_CMD_RUNLVL, little);
  view.setInt32(8, runlevel.charCodeAt(0), little);
  return bytes;
}
