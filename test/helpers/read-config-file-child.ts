// Runs readConfigFile on argv[2] in its own process and prints the outcome as JSON, so a test can bound a read that might block.
import { readConfigFile } from '../../src/config/read-config-file';

const read = readConfigFile(process.argv[2] ?? '');
process.stdout.write(JSON.stringify(read.ok ? { ok: true, length: read.bytes.length } : { ok: false, reason: read.error.reason, message: read.error.message }));
